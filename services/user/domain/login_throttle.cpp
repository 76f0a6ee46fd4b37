#include "services/user/domain/login_throttle.h"

#include <algorithm>
#include <string>

namespace hatongsu::user {

LoginThrottle::LoginThrottle(ThrottleLimits limits, SipKey key)
    : limits_(limits),
      key_(key),
      pairs_(limits.slots_per_table, limits.window),
      addresses_(limits.slots_per_table, limits.window),
      accounts_(limits.slots_per_table, limits.window),
      known_(limits.slots_per_table, limits.known_for),
      in_flight_(limits.slots_per_table, limits.window) {
    absl::MutexLock lock(&mu_);
    memory_bytes_ = sizeof(*this) + pairs_.MemoryBytes() + addresses_.MemoryBytes() +
                    accounts_.MemoryBytes() + known_.MemoryBytes() + in_flight_.MemoryBytes();
}

LoginThrottle::Keys LoginThrottle::KeysOf(
    std::string_view account, std::string_view address) const {
    // Each kind gets its own prefix, and the pair spells out the account's length, so no two
    // different inputs share a hashed string.
    std::string buffer;
    buffer.reserve(account.size() + address.size() + 24);
    buffer.append("p:").append(std::to_string(account.size())).append(":");
    buffer.append(account).append(address);
    uint64_t pair = SipHash24(key_, buffer);
    buffer.assign("i:").append(address);
    uint64_t by_address = SipHash24(key_, buffer);
    buffer.assign("a:").append(account);
    return Keys{pair, by_address, SipHash24(key_, buffer)};
}

bool LoginThrottle::Known(const Keys& keys, TimePoint now) const {
    return known_.Count(keys.pair, now) > 0;
}

std::chrono::milliseconds LoginThrottle::DelayFor(int account_failures) const {
    int over = account_failures - limits_.failures_before_delay;
    if (over < 0 || limits_.max_delay.count() <= 0) {
        return std::chrono::milliseconds(0);
    }
    auto delay = limits_.first_delay * (int64_t{1} << std::min(over, 20));
    return std::min(delay, limits_.max_delay);
}

ThrottleDecision LoginThrottle::Check(
    std::string_view account, std::string_view address, TimePoint now) {
    Keys keys = KeysOf(account, address);
    absl::MutexLock lock(&mu_);
    // Attempts in flight count as failures until decided (pessimistic, so a burst cannot pass).
    if (pairs_.Count(keys.pair, now) + in_flight_.Count(keys.pair, now) >=
        limits_.max_failures_per_pair) {
        return {.allowed = false, .delay = {}, .in_flight = nullptr};
    }
    bool known = Known(keys, now);
    if (!known && addresses_.Count(keys.address, now) + in_flight_.Count(keys.address, now) >=
                      limits_.max_failures_per_address) {
        return {.allowed = false, .delay = {}, .in_flight = nullptr};
    }
    in_flight_.Add(keys.pair, now);
    if (!known) {
        in_flight_.Add(keys.address, now);
    }
    auto release = [this, keys, known](void*) {
        Release(keys, !known);
    };
    return {
        .allowed = true,
        .delay =
            known ? std::chrono::milliseconds(0) : DelayFor(accounts_.Count(keys.account, now)),
        .in_flight = std::shared_ptr<void>(nullptr, release)};
}

void LoginThrottle::Release(const Keys& keys, bool counted_address) {
    absl::MutexLock lock(&mu_);
    in_flight_.Remove(keys.pair);
    if (counted_address) {
        in_flight_.Remove(keys.address);
    }
}

void LoginThrottle::RecordFailure(
    std::string_view account, std::string_view address, TimePoint now) {
    Keys keys = KeysOf(account, address);
    absl::MutexLock lock(&mu_);
    pairs_.Add(keys.pair, now);
    accounts_.Add(keys.account, now);
    if (!Known(keys, now)) {
        addresses_.Add(keys.address, now);
    }
}

void LoginThrottle::RecordSuccess(
    std::string_view account, std::string_view address, TimePoint now) {
    Keys keys = KeysOf(account, address);
    absl::MutexLock lock(&mu_);
    pairs_.Clear(keys.pair);
    known_.Clear(keys.pair);  // restarts the "known" period from this success
    known_.Add(keys.pair, now);
}

std::size_t LoginThrottle::LiveEntriesForTest(TimePoint now) {
    absl::MutexLock lock(&mu_);
    return pairs_.LiveEntriesForTest(now) + addresses_.LiveEntriesForTest(now) +
           accounts_.LiveEntriesForTest(now) + known_.LiveEntriesForTest(now);
}

}  // namespace hatongsu::user
