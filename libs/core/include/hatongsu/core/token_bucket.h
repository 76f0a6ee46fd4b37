// A token bucket for rate limits (the event server's chats and frames, the world server's
// updates): `per_second` tokens a second up to `burst`; Take spends one if there is one. Time comes
// from the caller, on the clock of its choice (TokenBucket: the system clock a core::Clock fakes;
// SteadyTokenBucket: for adapters that read the time themselves). A clock that steps back never
// stalls the bucket: it counts on from the earlier time. Not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace hatongsu::core {

struct RateLimits {
    double per_second = 5;
    double burst = 10;
};

template <typename TimePoint>
class BasicTokenBucket final {
public:
    using Limits = RateLimits;  // one type for every clock

    BasicTokenBucket() = default;
    BasicTokenBucket(Limits limits, TimePoint now)
        : limits_(limits), tokens_(limits.burst), last_(now) {}

    bool Take(TimePoint now) {
        Refill(now);
        if (tokens_ < 1) {
            return false;
        }
        tokens_ -= 1;
        return true;
    }

    // Whole tokens there are now (what that many Takes would get).
    std::size_t Available(TimePoint now) {
        Refill(now);
        return static_cast<std::size_t>(tokens_);
    }

private:
    void Refill(TimePoint now) {
        if (now > last_) {
            double seconds = std::chrono::duration<double>(now - last_).count();
            tokens_ = std::min(limits_.burst, tokens_ + seconds * limits_.per_second);
        }
        last_ = now;
    }

    Limits limits_;
    double tokens_ = 0;
    TimePoint last_{};
};

using TokenBucket = BasicTokenBucket<std::chrono::system_clock::time_point>;
using SteadyTokenBucket = BasicTokenBucket<std::chrono::steady_clock::time_point>;

}  // namespace hatongsu::core
