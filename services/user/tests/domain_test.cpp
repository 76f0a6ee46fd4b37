#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/client_network.h"
#include "hatongsu/core/text.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/user/domain/credentials.h"
#include "services/user/domain/keyed_hash.h"
#include "services/user/domain/login_throttle.h"
#include "services/user/domain/user.h"
#include "services/user/domain/window_counters.h"

namespace hatongsu::user {
namespace {

using testkit::IsOk;
using testkit::IsOkAndHolds;
using testkit::StatusIs;
using namespace std::chrono_literals;

std::string Basic(const std::string& text) {
    return "Basic " + core::Base64Encode(text);
}

TEST(ParseBasicCredentials, SplitsAtTheFirstColon) {
    auto c = ParseBasicCredentials(Basic("a@b.co:pa:ss:word"));
    ASSERT_THAT(c, IsOk());
    EXPECT_EQ(c->email, "a@b.co");
    EXPECT_EQ(c->password, "pa:ss:word");
    EXPECT_THAT(ParseBasicCredentials("bAsIc " + core::Base64Encode("x:y")), IsOk());
}

TEST(ParseBasicCredentials, RefusesMissingOrGarbledHeaders) {
    auto invalid = absl::StatusCode::kInvalidArgument;
    EXPECT_THAT(ParseBasicCredentials(""), StatusIs(invalid, "INVALID_CREDENTIALS"));
    EXPECT_THAT(ParseBasicCredentials("Basic"), StatusIs(invalid));
    EXPECT_THAT(ParseBasicCredentials("Bearer " + core::Base64Encode("a:b")), StatusIs(invalid));
    EXPECT_THAT(ParseBasicCredentials("Basic  " + core::Base64Encode("a:b")), StatusIs(invalid));
    EXPECT_THAT(ParseBasicCredentials(Basic("no-colon")), StatusIs(invalid));
    EXPECT_THAT(ParseBasicCredentials("Basic !!!!"), StatusIs(invalid));
}

TEST(ParseBearer, NeedsTheSchemeAndOneSpace) {
    EXPECT_EQ(ParseBearer("Bearer abc").value(), "abc");
    EXPECT_EQ(ParseBearer("bearer abc").value(), "abc");
    EXPECT_THAT(ParseBearer("Bearer  abc"), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(ParseBearer("Basic abc"), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(ParseBearer("abc"), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(NormalizeEmail, LowerCasesValidAddressesAndRefusesTheRest) {
    EXPECT_EQ(NormalizeEmail("Admin@Example.COM").value(), "admin@example.com");
    EXPECT_THAT(NormalizeEmail("user.name+tag@sub.example.co"), IsOk());
    for (const char* bad :
         {"", "plain", "@x.com", "a@", "a@b", "a@b.c", "a b@x.com", "a@@x.com", "a@x..com",
          "a@-x.com", ".a@x.com", "a@x.c0m", "ü@x.com"}) {
        EXPECT_THAT(
            NormalizeEmail(bad), StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_EMAIL"))
            << bad;
    }
    EXPECT_THAT(
        NormalizeEmail(std::string(250, 'a') + "@x.com"),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Nickname, AcceptsUnicodeAndRefusesBlankOrHuge) {
    EXPECT_THAT(CheckNickname("하통수 Ω"), IsOk());
    EXPECT_THAT(CheckNickname("   "), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNickname(std::string(101, 'x')), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNickname("\xff\xfe"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNewPassword("abc"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        CheckNewPassword(std::string(1025, 'x')), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNewPassword("abcd"), IsOk());
}

TEST(LoginThrottle, RefusesAPairAfterItsLimitButNotTheAccountElsewhere) {
    LoginThrottle throttle(
        {.max_failures_per_pair = 3, .max_failures_per_address = 100, .window = 10min});
    auto t0 = std::chrono::system_clock::time_point(1000h);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(throttle.Check("a", "ip1", t0).allowed);
        throttle.RecordFailure("a", "ip1", t0);
    }
    EXPECT_FALSE(throttle.Check("a", "ip1", t0 + 1min).allowed);
    EXPECT_TRUE(throttle.Check("a", "ip2", t0 + 1min).allowed);
    EXPECT_TRUE(throttle.Check("b", "ip1", t0 + 1min).allowed);
    EXPECT_TRUE(throttle.Check("a", "ip1", t0 + 11min).allowed);
}

// A burst of concurrent guesses: each admitted attempt counts until it is decided, so the burst
// cannot all pass the check before the first failure is recorded (attacker review of issue 5).
TEST(LoginThrottle, AttemptsInFlightCountAgainstThePairAndTheAddress) {
    LoginThrottle throttle(
        {.max_failures_per_pair = 3, .max_failures_per_address = 5, .window = 10min});
    auto t0 = std::chrono::system_clock::time_point(1000h);
    std::vector<ThrottleDecision> burst;
    for (int i = 0; i < 3; ++i) {
        burst.push_back(throttle.Check("a", "ip", t0));
        EXPECT_TRUE(burst.back().allowed);
    }
    EXPECT_FALSE(throttle.Check("a", "ip", t0).allowed);  // three in flight: the pair is full
    burst.push_back(throttle.Check("b", "ip", t0));
    burst.push_back(throttle.Check("c", "ip", t0));
    EXPECT_FALSE(throttle.Check("d", "ip", t0).allowed);  // five in flight: the address is full
    EXPECT_TRUE(throttle.Check("a", "ip2", t0).allowed);  // the account elsewhere is not
    burst.clear();  // all decided without a failure (say, the service was busy)
    EXPECT_TRUE(throttle.Check("a", "ip", t0).allowed);
    EXPECT_TRUE(throttle.Check("d", "ip", t0).allowed);
}

TEST(LoginThrottle, LimitsAnAddressForAccountsNotKnownThere) {
    LoginThrottle throttle(
        {.max_failures_per_pair = 5, .max_failures_per_address = 3, .window = 10min});
    auto t0 = std::chrono::system_clock::time_point(1000h);
    throttle.RecordSuccess("known", "ip", t0);
    throttle.RecordFailure("known", "ip", t0);  // a typo of a known user: not the address's
    throttle.RecordFailure("a", "ip", t0);
    throttle.RecordFailure("b", "ip", t0);
    EXPECT_TRUE(throttle.Check("c", "ip", t0).allowed);
    throttle.RecordFailure("c", "ip", t0);
    EXPECT_FALSE(throttle.Check("d", "ip", t0).allowed);
    EXPECT_TRUE(throttle.Check("known", "ip", t0).allowed);
    EXPECT_TRUE(throttle.Check("d", "other", t0).allowed);
    // A success clears the pair: the known user's typos never pile up to a lock-out.
    throttle.RecordFailure("known", "ip", t0);
    throttle.RecordFailure("known", "ip", t0);
    throttle.RecordFailure("known", "ip", t0);
    throttle.RecordSuccess("known", "ip", t0);
    throttle.RecordFailure("known", "ip", t0);
    EXPECT_TRUE(throttle.Check("known", "ip", t0).allowed);
}

TEST(LoginThrottle, KeysAreKeyedHashesOfTheWholeAccountAndAddress) {
    auto t0 = std::chrono::system_clock::time_point(1000h);
    LoginThrottle throttle({.max_failures_per_pair = 1, .max_failures_per_address = 100}, {1, 2});
    throttle.RecordFailure("ab", "c", t0);
    EXPECT_FALSE(throttle.Check("ab", "c", t0).allowed);
    EXPECT_TRUE(throttle.Check("a", "bc", t0).allowed);  // no ambiguity at the join
}

TEST(KeyedHash, MatchesTheSipHash24ReferenceVector) {
    // The paper's example: key 00..0f, message 00..0e.
    SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
    std::string message;
    for (char c = 0; c < 15; ++c) {
        message.push_back(c);
    }
    EXPECT_EQ(SipHash24(key, message), 0xa129ca6149be45e5ULL);
    EXPECT_EQ(SipHash24(key, ""), 0x726fdb47dd0e0e31ULL);
    EXPECT_NE(SipHash24(RandomSipKey(), message), SipHash24(RandomSipKey(), message));
}

TEST(WindowCounters, NeverGrowsAndASprayEvictsOneOffsBeforeRealCounts) {
    auto t0 = std::chrono::system_clock::time_point(1000h);
    WindowCounters counters(64, 10min);
    EXPECT_EQ(counters.Capacity(), 64u);
    std::size_t bytes = counters.MemoryBytes();
    for (int i = 0; i < 5; ++i) {
        counters.Add(7, t0);
    }
    for (uint64_t k = 100; k < 100'100; ++k) {
        counters.Add(k, t0);
    }
    EXPECT_EQ(counters.MemoryBytes(), bytes);
    EXPECT_LE(counters.LiveEntriesForTest(t0), 64u);
    EXPECT_EQ(counters.Count(7, t0), 5);
    EXPECT_EQ(counters.Count(7, t0 + 10min), 0);
    counters.Clear(7);
    EXPECT_EQ(counters.Count(7, t0), 0);
}

TEST(WindowCounters, AFullSetGivesUpAnEndedWindowFirstThenTheFewestCounts) {
    auto t0 = std::chrono::system_clock::time_point(1000h);
    WindowCounters counters(8, 10min);  // a single set
    for (uint64_t k = 1; k <= 8; ++k) {
        auto when = k == 3 ? t0 - 1h : t0;
        counters.Add(k, when);
        counters.Add(k, when);
    }
    counters.Add(5, t0);  // 5 now has the most counts
    EXPECT_EQ(counters.Add(42, t0), 1);
    EXPECT_EQ(counters.Count(42, t0), 1);
    for (uint64_t k = 1; k <= 8; ++k) {
        if (k != 3) {
            EXPECT_EQ(counters.Count(k, t0), k == 5 ? 3 : 2) << k;
        }
    }
    EXPECT_EQ(counters.Add(43, t0), 1);  // no ended window left: 42, with one count, gives way
    EXPECT_EQ(counters.Count(42, t0), 0);
    EXPECT_EQ(counters.Count(5, t0), 3);
}

TEST(LoginEmail, RefusesWhatPostgresWouldCutOrFoldAndLowerCasesTheRest) {
    EXPECT_THAT(NormalizeLoginEmail("Kim@Example.COM"), IsOkAndHolds("kim@example.com"));
    EXPECT_THAT(NormalizeLoginEmail("legacy+x@host"), IsOkAndHolds("legacy+x@host"));
    for (std::string bad :
         {std::string("kim@x.co\0junk", 13), std::string("\xE2\x84\xAAim@x.co"),
          std::string("kim@x.co\xff"), std::string("kim@x.co\x7f"), std::string("k im@x.co"),
          std::string("kim"), std::string(""), std::string(300, 'a') + "@x.co"}) {
        EXPECT_THAT(
            NormalizeLoginEmail(bad), StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_EMAIL"))
            << ::testing::PrintToString(bad);
    }
}

TEST(Nickname, RefusesControlCharactersAnywhere) {
    EXPECT_THAT(
        CheckNickname(std::string("a\0b", 3)), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNickname("a\nb"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNickname("a\x7f"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(CheckNickname("a\xC2\x9F"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        CheckNickname("a\xC2\xA0"
                      "b"),
        IsOk());  // NBSP is not a control character
}

TEST(Nickname, RefusesInvisibleAndDirectionChangingCharacters) {
    for (std::string bad :
         {"\xE2\x80\xAEnimda",
          "a\xE2\x80\xA8"
          "b",
          "a\xE2\x80\x8B"
          "b",
          "\xEF\xBB\xBFx",
          "a\xE2\x81\xA6"
          "b"}) {
        EXPECT_THAT(CheckNickname(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    }
    EXPECT_THAT(CheckNickname("사진 좋아 \xE2\x80\x94 ok"), IsOk());  // an em dash is fine
}

// Attacker review of issue 5: one IPv6 /64 must not pose as 2^64 clients.
TEST(ClientNetwork, CountsIpv6ByItsSlash64AndIpv4AsItIs) {
    EXPECT_EQ(core::ClientNetwork("203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(core::ClientNetwork("::ffff:203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(core::ClientNetwork("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(core::ClientNetwork("[2001:DB8:1:2:ffff:ffff:ffff:ffff]"), "2001:db8:1:2::/64");
    EXPECT_NE(core::ClientNetwork("2001:db8:1:3::1"), core::ClientNetwork("2001:db8:1:2::1"));
    EXPECT_EQ(core::ClientNetwork("not an address"), "not an address");
}

}  // namespace
}  // namespace hatongsu::user
