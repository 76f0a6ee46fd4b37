#include "services/user/domain/address_rate_limit.h"

namespace hatongsu::user {

AddressRateLimit::AddressRateLimit(RateLimits limits)
    : limits_(limits), key_(RandomSipKey()), counts_(limits.slots, limits.window) {}

bool AddressRateLimit::TryAcquire(
    std::string_view address, std::chrono::system_clock::time_point now) {
    uint64_t key = SipHash24(key_, address);
    absl::MutexLock lock(&mu_);
    if (counts_.Count(key, now) >= limits_.max_per_window) {
        return false;
    }
    counts_.Add(key, now);
    return true;
}

}  // namespace hatongsu::user
