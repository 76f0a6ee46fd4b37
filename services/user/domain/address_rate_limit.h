// At most N attempts per client address in a fixed window (registrations, say). The counts live in
// a fixed-size table keyed by a keyed hash (window_counters.h): memory is set at construction.
// Thread-safe; in memory, per process.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include "services/user/domain/keyed_hash.h"
#include "services/user/domain/window_counters.h"

namespace hatongsu::user {

struct RateLimits {
    int max_per_window = 20;
    std::chrono::system_clock::duration window = std::chrono::hours(1);
    std::size_t slots = std::size_t{1} << 14;
};

class AddressRateLimit final {
public:
    explicit AddressRateLimit(RateLimits limits);

    // Counts one attempt; false (not counted) once the address has had its allowance this window.
    bool TryAcquire(std::string_view address, std::chrono::system_clock::time_point now);

private:
    const RateLimits limits_;
    const SipKey key_;
    absl::Mutex mu_;
    WindowCounters counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hatongsu::user
