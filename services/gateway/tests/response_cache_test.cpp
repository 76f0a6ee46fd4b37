#include "services/gateway/usecase/response_cache.h"

#include <gtest/gtest.h>

#include "hatongsu/testkit/fake_clock.h"

namespace hatongsu::gateway {
namespace {

using std::chrono::milliseconds;

TEST(ResponseCache, AnswersUntilTheEntryExpires) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1 << 20});
    EXPECT_EQ(cache.Get("/album/cursor"), nullptr);
    cache.Put("/album/cursor", "{\"a\":1}");
    ASSERT_NE(cache.Get("/album/cursor"), nullptr);
    EXPECT_EQ(*cache.Get("/album/cursor"), "{\"a\":1}");
    EXPECT_EQ(cache.Get("/album/cursor?limit=2"), nullptr);
    clock.Advance(milliseconds(999));
    EXPECT_NE(cache.Get("/album/cursor"), nullptr);
    clock.Advance(milliseconds(1));
    EXPECT_EQ(cache.Get("/album/cursor"), nullptr);
    EXPECT_EQ(cache.BytesForTest(), 0u);
}

TEST(ResponseCache, InvalidateDropsEverything) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1 << 20});
    cache.Put("a", "1");
    cache.Put("b", "2");
    cache.Invalidate();
    EXPECT_EQ(cache.Get("a"), nullptr);
    EXPECT_EQ(cache.Get("b"), nullptr);
    EXPECT_EQ(cache.BytesForTest(), 0u);
}

TEST(ResponseCache, StaysWithinItsBytesOldestFirst) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1000});
    for (int i = 0; i < 100; ++i) {  // e.g. an attacker varying the query
        cache.Put("key" + std::to_string(i), std::string(100, 'x'));
        EXPECT_LE(cache.BytesForTest(), 1000u);
    }
    EXPECT_EQ(cache.Get("key0"), nullptr);
    EXPECT_NE(cache.Get("key99"), nullptr);
    cache.Put("huge", std::string(600, 'x'));  // over a quarter: never cached
    EXPECT_EQ(cache.Get("huge"), nullptr);
}

TEST(ResponseCache, ZeroTtlTurnsItOff) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(0), .max_bytes = 1000});
    cache.Put("a", "1");
    EXPECT_EQ(cache.Get("a"), nullptr);
}

}  // namespace
}  // namespace hatongsu::gateway
