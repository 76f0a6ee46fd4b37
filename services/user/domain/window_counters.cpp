#include "services/user/domain/window_counters.h"

#include <bit>

namespace hatongsu::user {

WindowCounters::WindowCounters(std::size_t slots, std::chrono::system_clock::duration window)
    : slots_(std::bit_ceil(std::max(slots, kWays))),
      set_mask_(slots_.size() / kWays - 1),
      window_(window) {}

int WindowCounters::Count(uint64_t key, TimePoint now) const {
    key = Normal(key);
    std::size_t set = SetOf(key);
    for (std::size_t i = set; i < set + kWays; ++i) {
        if (slots_[i].key == key) {
            return Live(slots_[i], now) ? slots_[i].count : 0;
        }
    }
    return 0;
}

int WindowCounters::Add(uint64_t key, TimePoint now) {
    key = Normal(key);
    std::size_t set = SetOf(key);
    Slot* victim = nullptr;
    for (std::size_t i = set; i < set + kWays; ++i) {
        Slot& slot = slots_[i];
        if (slot.key == key) {
            if (!Live(slot, now)) {
                slot.start = now;
                slot.count = 0;
            }
            return ++slot.count;
        }
        // Free or ended slots first; otherwise the fewest counts, then the oldest window, so a
        // spray of one-off keys displaces other one-off keys before it displaces real counts.
        if (victim == nullptr) {
            victim = &slot;
        } else if (!Live(slot, now)) {
            if (Live(*victim, now)) {
                victim = &slot;
            }
        } else if (
            Live(*victim, now) && (slot.count < victim->count ||
                                   (slot.count == victim->count && slot.start < victim->start))) {
            victim = &slot;
        }
    }
    *victim = Slot{key, now, 1};
    return 1;
}

void WindowCounters::Remove(uint64_t key) {
    key = Normal(key);
    std::size_t set = SetOf(key);
    for (std::size_t i = set; i < set + kWays; ++i) {
        if (slots_[i].key == key) {
            if (--slots_[i].count <= 0) {
                slots_[i] = Slot{};
            }
            return;
        }
    }
}

void WindowCounters::Clear(uint64_t key) {
    key = Normal(key);
    std::size_t set = SetOf(key);
    for (std::size_t i = set; i < set + kWays; ++i) {
        if (slots_[i].key == key) {
            slots_[i] = Slot{};
            return;
        }
    }
}

std::size_t WindowCounters::LiveEntriesForTest(TimePoint now) const {
    std::size_t live = 0;
    for (const Slot& slot : slots_) {
        live += Live(slot, now) ? 1 : 0;
    }
    return live;
}

}  // namespace hatongsu::user
