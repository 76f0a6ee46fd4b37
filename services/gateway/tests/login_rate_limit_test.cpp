#include "services/gateway/usecase/login_rate_limit.h"

#include <memory>

#include <gtest/gtest.h>

namespace hatongsu::gateway {
namespace {

using namespace std::chrono_literals;

TEST(LoginRateLimit, AStormFromOneAddressIsCutToTheRateAndOthersAreUntouched) {
    auto limit = std::make_unique<LoginRateLimit>(LoginRateSettings{.per_second = 10, .burst = 20});
    auto t0 = std::chrono::steady_clock::time_point(1000s);
    int allowed = 0;
    for (int i = 0; i < 1000; ++i) {
        allowed += limit->Allow("203.0.113.66", t0) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 20);                        // the burst, then nothing at the same instant
    EXPECT_TRUE(limit->Allow("203.0.113.7", t0));  // another address has its own bucket
    EXPECT_FALSE(limit->Allow("203.0.113.66", t0 + 50ms));
    EXPECT_TRUE(limit->Allow("203.0.113.66", t0 + 150ms));  // refilled: 10 per second
    int later = 0;
    for (int i = 0; i < 100; ++i) {
        later += limit->Allow("203.0.113.66", t0 + 10s) ? 1 : 0;
    }
    EXPECT_EQ(later, 20);  // never more than the burst, however long it waited
}

TEST(LoginRateLimit, ZeroTurnsItOff) {
    auto limit = std::make_unique<LoginRateLimit>(LoginRateSettings{.per_second = 0, .burst = 1});
    for (int i = 0; i < 100; ++i) {
        EXPECT_TRUE(limit->Allow("a", std::chrono::steady_clock::time_point(1s)));
    }
}

}  // namespace
}  // namespace hatongsu::gateway
