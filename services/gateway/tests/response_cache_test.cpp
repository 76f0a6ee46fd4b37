#include "services/gateway/usecase/response_cache.h"

#include <gtest/gtest.h>

#include "hatongsu/testkit/fake_clock.h"

namespace hatongsu::gateway {
namespace {

using std::chrono::milliseconds;

TEST(ResponseCache, AnswersUntilTheEntryExpires) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1 << 20});
    auto miss = cache.Get("/album/cursor");
    EXPECT_EQ(miss.body, nullptr);
    EXPECT_TRUE(miss.refresh);
    cache.Put("/album/cursor", "{\"a\":1}");
    auto hit = cache.Get("/album/cursor");
    ASSERT_NE(hit.body, nullptr);
    EXPECT_FALSE(hit.refresh);
    EXPECT_EQ(*hit.body, "{\"a\":1}");
    EXPECT_EQ(cache.Get("/album/cursor?limit=2").body, nullptr);
    clock.Advance(milliseconds(999));
    EXPECT_FALSE(cache.Get("/album/cursor").refresh);
    clock.Advance(milliseconds(1));
    // Stale: the first caller refreshes, the others still get the stale answer meanwhile.
    auto first = cache.Get("/album/cursor");
    EXPECT_TRUE(first.refresh);
    ASSERT_NE(first.body, nullptr);
    auto second = cache.Get("/album/cursor");
    EXPECT_FALSE(second.refresh);
    EXPECT_EQ(*second.body, "{\"a\":1}");
    cache.Put("/album/cursor", "{\"a\":2}");
    EXPECT_EQ(*cache.Get("/album/cursor").body, "{\"a\":2}");
}

TEST(ResponseCache, AFailedRefreshLetsTheNextCallerTryAndStaleEntriesEnd) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1 << 20});
    cache.Put("k", "v");
    clock.Advance(milliseconds(1500));
    EXPECT_TRUE(cache.Get("k").refresh);
    EXPECT_FALSE(cache.Get("k").refresh);
    cache.Abandon("k");
    EXPECT_TRUE(cache.Get("k").refresh);
    // Stale for more than five TTLs: not served any more.
    clock.Advance(milliseconds(5000));
    auto gone = cache.Get("k");
    EXPECT_EQ(gone.body, nullptr);
    EXPECT_TRUE(gone.refresh);
    EXPECT_EQ(cache.BytesForTest(), 0u);
}

TEST(ResponseCache, InvalidateDropsEverything) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1 << 20});
    cache.Put("a", "1");
    cache.Put("b", "2");
    cache.Invalidate();
    EXPECT_EQ(cache.Get("a").body, nullptr);
    EXPECT_EQ(cache.Get("b").body, nullptr);
    EXPECT_EQ(cache.BytesForTest(), 0u);
}

TEST(ResponseCache, StaysWithinItsBytesOldestFirst) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(1000), .max_bytes = 1000});
    for (int i = 0; i < 100; ++i) {  // e.g. an attacker varying the query
        cache.Put("key" + std::to_string(i), std::string(100, 'x'));
        EXPECT_LE(cache.BytesForTest(), 1000u);
    }
    EXPECT_EQ(cache.Get("key0").body, nullptr);
    EXPECT_NE(cache.Get("key99").body, nullptr);
    cache.Put("huge", std::string(600, 'x'));  // over a quarter: never cached
    EXPECT_EQ(cache.Get("huge").body, nullptr);
}

TEST(ResponseCache, ZeroTtlTurnsItOff) {
    testkit::FakeClock clock;
    ResponseCache cache(clock, {.ttl = milliseconds(0), .max_bytes = 1000});
    cache.Put("a", "1");
    EXPECT_EQ(cache.Get("a").body, nullptr);
    EXPECT_FALSE(cache.Get("a").refresh);
}

}  // namespace
}  // namespace hatongsu::gateway
