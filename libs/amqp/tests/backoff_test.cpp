#include "hatongsu/amqp/backoff.h"

#include <climits>

#include <gtest/gtest.h>

namespace hatongsu::amqp {
namespace {

using std::chrono::milliseconds;

TEST(RetryDelay, DoublesFromTheBaseDelay) {
    EXPECT_EQ(RetryDelay(1, milliseconds(1000), milliseconds(60000)), milliseconds(1000));
    EXPECT_EQ(RetryDelay(2, milliseconds(1000), milliseconds(60000)), milliseconds(2000));
    EXPECT_EQ(RetryDelay(3, milliseconds(1000), milliseconds(60000)), milliseconds(4000));
    EXPECT_EQ(RetryDelay(6, milliseconds(1000), milliseconds(60000)), milliseconds(32000));
}

TEST(RetryDelay, StopsAtTheCap) {
    EXPECT_EQ(RetryDelay(7, milliseconds(1000), milliseconds(60000)), milliseconds(60000));
    EXPECT_EQ(RetryDelay(100, milliseconds(1000), milliseconds(60000)), milliseconds(60000));
    EXPECT_EQ(RetryDelay(3, milliseconds(300), milliseconds(1000)), milliseconds(1000));
}

TEST(RetryDelay, NeverOverflowsOnHugeAttempts) {
    EXPECT_EQ(
        RetryDelay(INT_MAX, milliseconds(1), milliseconds(LLONG_MAX)), milliseconds(LLONG_MAX));
    EXPECT_EQ(RetryDelay(INT_MAX, milliseconds(7), milliseconds(86400000)), milliseconds(86400000));
}

TEST(RetryDelay, TreatsOddInputsSafely) {
    EXPECT_EQ(RetryDelay(0, milliseconds(500), milliseconds(60000)), milliseconds(500));
    EXPECT_EQ(RetryDelay(-5, milliseconds(500), milliseconds(60000)), milliseconds(500));
    EXPECT_EQ(RetryDelay(INT_MAX, milliseconds(0), milliseconds(60000)), milliseconds(0));
    EXPECT_EQ(RetryDelay(2, milliseconds(-10), milliseconds(60000)), milliseconds(0));
    EXPECT_EQ(RetryDelay(2, milliseconds(5000), milliseconds(1000)), milliseconds(1000));
    EXPECT_EQ(RetryDelay(2, milliseconds(5000), milliseconds(-1)), milliseconds(0));
}

}  // namespace
}  // namespace hatongsu::amqp
