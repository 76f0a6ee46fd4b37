#include "services/gateway/usecase/login_rate_limit.h"

#include <algorithm>
#include <functional>
#include <random>
#include <string>

namespace hatongsu::gateway {

LoginRateLimit::LoginRateLimit(LoginRateSettings settings)
    : settings_(settings), salt_(std::random_device{}() * 0x9E3779B97F4A7C15ull) {}

bool LoginRateLimit::Allow(std::string_view address, std::chrono::steady_clock::time_point now) {
    if (settings_.per_second <= 0) {
        return true;
    }
    std::size_t h = std::hash<std::string_view>{}(address) ^ salt_;
    h ^= h >> 29;  // mix the salt into the low bits that pick the bucket
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    std::size_t index = h % kBuckets;
    std::lock_guard lock(locks_[index % kStripes]);
    Bucket& b = buckets_[index];
    if (b.tokens < 0) {
        b.tokens = settings_.burst;
    } else {
        double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens =
            std::min(settings_.burst, b.tokens + std::max(0.0, elapsed) * settings_.per_second);
    }
    b.last = now;
    if (b.tokens < 1) {
        return false;
    }
    b.tokens -= 1;
    return true;
}

}  // namespace hatongsu::gateway
