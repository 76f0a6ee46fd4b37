// A token bucket per client address in front of POST /auth/login: a login storm from one address
// is answered 429 at the gateway, before it costs a gRPC call, so it cannot starve other routes.
// It only slows (the bucket refills every second); the user service's throttle decides lockouts.
// Fixed memory: 65,536 buckets chosen by a salted hash of the address (two addresses that share a
// bucket share its rate). Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace hatongsu::gateway {

struct LoginRateSettings {
    double per_second = 10;  // sustained attempts per address; 0 turns the limit off
    double burst = 20;       // attempts allowed at once
};

class LoginRateLimit final {
public:
    explicit LoginRateLimit(LoginRateSettings settings);

    // Takes one token from the address's bucket; false when it is empty.
    bool Allow(std::string_view address, std::chrono::steady_clock::time_point now);

private:
    static constexpr std::size_t kBuckets = std::size_t{1} << 16;
    static constexpr std::size_t kStripes = 64;
    struct Bucket {
        double tokens = -1;  // < 0: never used (starts full)
        std::chrono::steady_clock::time_point last{};
    };

    const LoginRateSettings settings_;
    const uint64_t salt_;
    std::array<std::mutex, kStripes> locks_;  // bucket i is guarded by locks_[i % kStripes]
    std::array<Bucket, kBuckets> buckets_;
};

}  // namespace hatongsu::gateway
