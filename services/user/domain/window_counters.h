// A fixed-size table of counters, each counting within its own fixed time window, keyed by 64-bit
// keyed hashes. Memory is allocated once (Capacity() slots, MemoryBytes() bytes) and never grows:
// a key lives in one set of kWays slots; when its set is full, the entry with the fewest counts
// (then the oldest window) gives way. Every call touches one set only: O(kWays), no scan, no
// allocation. Not thread-safe: the owner locks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hatongsu::user {

class WindowCounters final {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    static constexpr std::size_t kWays = 8;

    // `slots` is rounded up to a power of two, at least kWays.
    WindowCounters(std::size_t slots, std::chrono::system_clock::duration window);

    // The count of `key` in its current window; 0 when absent or when its window has ended.
    int Count(uint64_t key, TimePoint now) const;
    // Adds one (starting a new window when the last one ended); returns the new count.
    int Add(uint64_t key, TimePoint now);
    void Clear(uint64_t key);
    // Takes one away (the entry goes at zero); nothing when absent.
    void Remove(uint64_t key);

    std::size_t Capacity() const { return slots_.size(); }
    std::size_t MemoryBytes() const { return slots_.capacity() * sizeof(Slot); }
    // Entries whose window is still running (scans the table: for tests).
    std::size_t LiveEntriesForTest(TimePoint now) const;

private:
    struct Slot {
        uint64_t key = 0;  // 0: empty (keys are never 0, see Normal)
        TimePoint start{};
        int32_t count = 0;
    };

    static uint64_t Normal(uint64_t key) { return key == 0 ? 1 : key; }
    bool Live(const Slot& slot, TimePoint now) const {
        return slot.key != 0 && now - slot.start < window_;
    }
    std::size_t SetOf(uint64_t key) const { return (key & set_mask_) * kWays; }

    std::vector<Slot> slots_;
    std::size_t set_mask_;
    const std::chrono::system_clock::duration window_;
};

}  // namespace hatongsu::user
