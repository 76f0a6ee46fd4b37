#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/user/adapter/jwt/jwt_token_codec.h"
#include "services/user/testing/in_memory_repositories.h"
#include "services/user/usecase/bootstrap_admin.h"
#include "services/user/usecase/get_user_info.h"
#include "services/user/usecase/google_login.h"
#include "services/user/usecase/login_user.h"
#include "services/user/usecase/parse_bearer_token.h"
#include "services/user/usecase/refresh_tokens.h"
#include "services/user/usecase/register_user.h"

namespace hatongsu::user {
namespace {

using testkit::IsOk;
using testkit::StatusIs;
using namespace std::chrono_literals;

std::string Basic(const std::string& text) {
    return "Basic " + core::Base64Encode(text);
}

class AuthTest : public ::testing::Test {
protected:
    testkit::FakeClock clock;
    testing::InMemoryUserRepository users;
    testing::InMemoryRefreshTokenRepository refresh;
    testing::FakePasswordHasher hasher;
    testing::FakeGoogleIdVerifier google;
    jwt::JwtTokenCodec tokens{{"access-secret", "refresh-secret", 15min, 30 * 24h}, clock};
    LoginThrottle throttle{
        {.max_failures_per_account = 3, .max_failures_per_address = 100, .window = 15min}};
    RegisterUser register_user{users, hasher};
    LoginUser login{users, hasher, tokens, refresh, throttle, clock};
    RefreshTokens refresh_tokens{users, tokens, refresh};
    LoginGoogle login_google{users, google, tokens, refresh};
};

TEST_F(AuthTest, RegisterStoresANormalisedAccountWithAHashedPassword) {
    ASSERT_THAT(register_user.Execute(Basic("New@Example.com:secret"), "Newbie"), IsOk());
    auto u = users.FindByEmail("new@example.com");
    ASSERT_THAT(u, IsOk());
    EXPECT_EQ(u->email, "new@example.com");
    EXPECT_EQ(u->role, Role::kUser);
    EXPECT_EQ(u->provider, Provider::kCredentials);
    EXPECT_EQ(u->password_hash, "plain$secret");
}

TEST_F(AuthTest, RegisterRefusesDuplicatesWhateverTheCaseWithoutHashing) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    int before = hasher.hashes;
    EXPECT_THAT(
        register_user.Execute(Basic("A@EXAMPLE.com:other"), "B"),
        StatusIs(absl::StatusCode::kAlreadyExists, "EMAIL_ALREADY_EXISTS"));
    EXPECT_EQ(hasher.hashes, before);
    EXPECT_EQ(users.Size(), 1u);
}

TEST_F(AuthTest, RegisterRefusesBadInputAndWritesNothing) {
    EXPECT_THAT(
        register_user.Execute("Basic", "x"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_CREDENTIALS"));
    EXPECT_THAT(
        register_user.Execute(Basic("not-an-email:secret"), "x"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_EMAIL"));
    EXPECT_THAT(
        register_user.Execute(Basic("a@example.com:abc"), "x"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_PASSWORD"));
    EXPECT_THAT(
        register_user.Execute(Basic("a@example.com:secret"), std::string(500, 'n')),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_NICKNAME"));
    users.FailNext();
    EXPECT_THAT(
        register_user.Execute(Basic("a@example.com:secret"), "x"),
        StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(users.Size(), 0u);
}

TEST_F(AuthTest, LoginIssuesAnAccessTokenThatParsesAndARefreshTokenThatDoesNot) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    auto pair = login.Execute(Basic("A@example.com:secret"), "1.2.3.4");
    ASSERT_THAT(pair, IsOk());
    auto principal = ParseBearerToken(tokens, "Bearer " + pair->access_token);
    ASSERT_THAT(principal, IsOk());
    EXPECT_EQ(principal->role, Role::kUser);
    EXPECT_EQ(principal->sub, users.FindByEmail("a@example.com")->id);
    EXPECT_THAT(
        ParseBearerToken(tokens, "Bearer " + pair->refresh_token),
        StatusIs(absl::StatusCode::kUnauthenticated, "INVALID_TOKEN"));
    EXPECT_THAT(
        refresh_tokens.Execute(pair->access_token), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(AuthTest, AccessTokensExpire) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    auto pair = login.Execute(Basic("a@example.com:secret"), "ip");
    clock.Advance(16min);
    EXPECT_THAT(
        ParseBearerToken(tokens, "Bearer " + pair->access_token),
        StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(AuthTest, LoginErrorsKeepTheOriginalIdentifiers) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    EXPECT_THAT(
        login.Execute(Basic("nobody@example.com:secret"), "ip"),
        StatusIs(absl::StatusCode::kNotFound, "USER_NOT_FOUND"));
    EXPECT_THAT(
        login.Execute(Basic("a@example.com:wrong"), "ip"),
        StatusIs(absl::StatusCode::kUnauthenticated, "INCORRECT_PASSWORD"));
    EXPECT_THAT(
        login.Execute("Basic " + core::Base64Encode("nocolon"), "ip"),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AuthTest, RepeatedFailuresAreThrottledEvenWithTheRightPassword) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    for (int i = 0; i < 3; ++i) {
        EXPECT_THAT(
            login.Execute(Basic("a@example.com:wrong"), "ip"),
            StatusIs(absl::StatusCode::kUnauthenticated));
    }
    EXPECT_THAT(
        login.Execute(Basic("a@example.com:secret"), "ip"),
        StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_LOGIN_ATTEMPTS"));
    clock.Advance(16min);
    EXPECT_THAT(login.Execute(Basic("a@example.com:secret"), "ip"), IsOk());
}

TEST_F(AuthTest, OldHashesAreUpgradedAfterLogin) {
    auto u = users.Insert(
        {.id = {},
         .email = "old@example.com",
         .nickname = "Old",
         .profile = {},
         .role = Role::kUser,
         .provider = Provider::kCredentials,
         .password_hash = "old$pw12"});
    ASSERT_THAT(login.Execute(Basic("old@example.com:pw12"), "ip"), IsOk());
    EXPECT_EQ(users.FindById(u->id)->password_hash, "plain$pw12");
}

TEST_F(AuthTest, GoogleAccountsCannotLogInWithAPassword) {
    auto u = users.Insert(
        {.id = {},
         .email = "g@example.com",
         .nickname = "G",
         .profile = {},
         .role = Role::kUser,
         .provider = Provider::kGoogle,
         .password_hash = "plain$google"});
    EXPECT_THAT(
        login.Execute(Basic("g@example.com:google"), "ip"),
        StatusIs(absl::StatusCode::kUnauthenticated, "INCORRECT_PASSWORD"));
}

TEST_F(AuthTest, RefreshRotatesAndAReplayRevokesThatLoginsFamilyOnly) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    auto first = login.Execute(Basic("a@example.com:secret"), "ip");
    auto other_device = login.Execute(Basic("a@example.com:secret"), "ip");
    ASSERT_THAT(first, IsOk());
    ASSERT_THAT(other_device, IsOk());
    auto second = refresh_tokens.Execute(first->refresh_token);
    ASSERT_THAT(second, IsOk());
    EXPECT_THAT(ParseBearerToken(tokens, "Bearer " + second->access_token), IsOk());
    EXPECT_THAT(
        refresh_tokens.Execute(first->refresh_token),
        StatusIs(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_REUSED"));
    EXPECT_THAT(
        refresh_tokens.Execute(second->refresh_token),
        StatusIs(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_REUSED"));
    EXPECT_THAT(refresh_tokens.Execute(other_device->refresh_token), IsOk());
}

TEST_F(AuthTest, RefreshReadsTheRoleFromTheDatabase) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    auto first = login.Execute(Basic("a@example.com:secret"), "ip");
    auto id = users.FindByEmail("a@example.com")->id;
    ASSERT_THAT(users.UpdateRole(id, Role::kAdmin), IsOk());
    auto second = refresh_tokens.Execute(first->refresh_token);
    EXPECT_EQ(ParseBearerToken(tokens, "Bearer " + second->access_token)->role, Role::kAdmin);
}

TEST_F(AuthTest, GoogleLoginUsesTheVerifiedEmailNotTheBody) {
    google.identities["tok"] = {
        .email = "Real@Gmail.com", .email_verified = true, .name = "Real", .picture = "http://p"};
    auto pair = login_google.Execute("tok", "Body Nick");
    ASSERT_THAT(pair, IsOk());
    auto u = users.FindByEmail("real@gmail.com");
    ASSERT_THAT(u, IsOk());
    EXPECT_EQ(u->provider, Provider::kGoogle);
    EXPECT_EQ(u->nickname, "Real");
    EXPECT_EQ(u->profile, "http://p");
    EXPECT_FALSE(u->password_hash.has_value());
    // Second login finds the same account.
    ASSERT_THAT(login_google.Execute("tok", "x"), IsOk());
    EXPECT_EQ(users.Size(), 1u);
}

TEST_F(AuthTest, GoogleLoginRefusesUnverifiedInvalidAndPasswordAccounts) {
    google.identities["unverified"] = {
        .email = "u@gmail.com", .email_verified = false, .name = "U", .picture = {}};
    google.identities["taken"] = {
        .email = "a@example.com", .email_verified = true, .name = "A", .picture = {}};
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    EXPECT_THAT(
        login_google.Execute("unverified", "x"),
        StatusIs(absl::StatusCode::kUnauthenticated, "GOOGLE_EMAIL_NOT_VERIFIED"));
    EXPECT_THAT(login_google.Execute("forged", "x"), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(login_google.Execute("", "x"), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(
        login_google.Execute("taken", "x"),
        StatusIs(absl::StatusCode::kAlreadyExists, "EMAIL_REGISTERED_WITH_PASSWORD"));
    EXPECT_EQ(users.Size(), 1u);
}

TEST_F(AuthTest, GetUserInfoTreatsBadIdsAsUnknown) {
    EXPECT_THAT(
        GetUserInfo(users, "not-a-uuid"), StatusIs(absl::StatusCode::kNotFound, "USER_NOT_FOUND"));
    EXPECT_THAT(
        GetUserInfo(users, "6cebfa72-5c4c-40f2-8c9c-b9398d172b86"),
        StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AuthTest, BootstrapCreatesTheFirstAdminOnlyOnce) {
    BootstrapAdmin boot(users, hasher);
    EXPECT_EQ(boot.Execute("Root@Example.com", "pw1234").value(), BootstrapOutcome::kCreated);
    EXPECT_EQ(users.FindByEmail("root@example.com")->role, Role::kAdmin);
    EXPECT_EQ(boot.Execute("other@example.com", "pw1234").value(), BootstrapOutcome::kAdminExists);
    EXPECT_EQ(users.Size(), 1u);
}

// Issue 5, section 6: whoever registers the admin e-mail first must not become admin.
TEST_F(AuthTest, BootstrapNeverPromotesAnAccountThatRegisteredWithTheAdminEmail) {
    ASSERT_THAT(register_user.Execute(Basic("a@example.com:secret"), "A"), IsOk());
    auto boot = BootstrapAdmin(users, hasher).Execute("A@example.com", "pw123456");
    EXPECT_THAT(boot, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(std::string(boot.status().message()), ::testing::HasSubstr("a@example.com"));
    EXPECT_EQ(users.FindByEmail("a@example.com")->role, Role::kUser);
    EXPECT_EQ(users.FindByEmail("a@example.com")->password_hash, "plain$secret");
    EXPECT_THAT(users.AnyAdmin(), testkit::IsOkAndHolds(false));
}

}  // namespace
}  // namespace hatongsu::user
