// A token bucket for rate limits (the event server's chats, the world server's updates):
// `per_second` tokens a second up to `burst`; Take spends one if there is one. Time comes from the
// caller. Not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>

namespace hatongsu::core {

class TokenBucket final {
public:
    struct Limits {
        double per_second = 5;
        double burst = 10;
    };

    TokenBucket() = default;
    TokenBucket(Limits limits, std::chrono::system_clock::time_point now)
        : limits_(limits), tokens_(limits.burst), last_(now) {}

    bool Take(std::chrono::system_clock::time_point now) {
        if (now > last_) {
            double seconds = std::chrono::duration<double>(now - last_).count();
            tokens_ = std::min(limits_.burst, tokens_ + seconds * limits_.per_second);
            last_ = now;
        }
        if (tokens_ < 1) {
            return false;
        }
        tokens_ -= 1;
        return true;
    }

private:
    Limits limits_;
    double tokens_ = 0;
    std::chrono::system_clock::time_point last_{};
};

}  // namespace hatongsu::core
