#include "hatongsu/core/token_bucket.h"

#include <gtest/gtest.h>

namespace hatongsu::core {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, SpendsTheBurstThenRefillsAtTheRate) {
    const std::chrono::system_clock::time_point t0{};
    TokenBucket bucket({.per_second = 10, .burst = 3}, t0);
    EXPECT_TRUE(bucket.Take(t0));
    EXPECT_TRUE(bucket.Take(t0));
    EXPECT_TRUE(bucket.Take(t0));
    EXPECT_FALSE(bucket.Take(t0));
    EXPECT_FALSE(bucket.Take(t0 + 50ms));  // half a token
    EXPECT_TRUE(bucket.Take(t0 + 100ms));
    EXPECT_FALSE(bucket.Take(t0 + 100ms));
    // A long pause refills only up to the burst.
    EXPECT_TRUE(bucket.Take(t0 + 10s));
    EXPECT_TRUE(bucket.Take(t0 + 10s));
    EXPECT_TRUE(bucket.Take(t0 + 10s));
    EXPECT_FALSE(bucket.Take(t0 + 10s));
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
    const std::chrono::system_clock::time_point t0{std::chrono::seconds(100)};
    TokenBucket bucket({.per_second = 1, .burst = 1}, t0);
    EXPECT_TRUE(bucket.Take(t0));
    EXPECT_FALSE(bucket.Take(t0 - 50s));
    // The clock stepped back 50 s: the bucket refills from there, not 50 s later.
    EXPECT_TRUE(bucket.Take(t0 - 49s));
}

TEST(SteadyTokenBucket, RunsOnTheSteadyClock) {
    const std::chrono::steady_clock::time_point t0{};
    SteadyTokenBucket bucket({.per_second = 2, .burst = 1}, t0);
    EXPECT_TRUE(bucket.Take(t0));
    EXPECT_FALSE(bucket.Take(t0 + 100ms));
    EXPECT_TRUE(bucket.Take(t0 + 500ms));
}

}  // namespace
}  // namespace hatongsu::core
