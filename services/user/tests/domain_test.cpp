#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/user/domain/credentials.h"
#include "services/user/domain/login_throttle.h"
#include "services/user/domain/user.h"

namespace hatongsu::user {
namespace {

using testkit::IsOk;
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

TEST(LoginThrottle, LocksAnAccountAfterTheLimitUntilTheWindowEnds) {
    LoginThrottle throttle(
        {.max_failures_per_account = 3, .max_failures_per_address = 100, .window = 10min});
    auto t0 = std::chrono::system_clock::time_point(1000h);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(throttle.Allowed("a", "ip1", t0));
        throttle.RecordFailure("a", "ip1", t0);
    }
    EXPECT_FALSE(throttle.Allowed("a", "ip2", t0 + 1min));
    EXPECT_TRUE(throttle.Allowed("b", "ip1", t0 + 1min));
    EXPECT_TRUE(throttle.Allowed("a", "ip1", t0 + 11min));
}

TEST(LoginThrottle, LimitsAnAddressAcrossAccountsAndSuccessClearsTheAccount) {
    LoginThrottle throttle(
        {.max_failures_per_account = 2, .max_failures_per_address = 3, .window = 10min});
    auto t0 = std::chrono::system_clock::time_point(1000h);
    throttle.RecordFailure("a", "ip", t0);
    throttle.RecordSuccess("a");
    throttle.RecordFailure("a", "ip", t0);
    EXPECT_TRUE(throttle.Allowed("a", "other", t0));
    throttle.RecordFailure("b", "ip", t0);
    EXPECT_FALSE(throttle.Allowed("c", "ip", t0));
}

}  // namespace
}  // namespace hatongsu::user
