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
        {.max_failures_per_pair = 3, .max_failures_per_address = 100, .window = 15min}};
    AddressRateLimit registrations{{.max_per_window = 5, .window = 1h}};
    RegisterUser register_user{users, hasher, registrations, clock};
    LoginUser login{users, hasher, tokens, refresh, throttle, clock};

    absl::Status Register(
        const std::string& header, const std::string& nickname, const std::string& ip = "ip") {
        return register_user.Execute(header, nickname, ip);
    }
    // Both steps, without waiting the ticket's delay (the gRPC adapter waits it on a timer).
    absl::StatusOr<TokenPair> Login(const std::string& header, const std::string& ip) {
        auto ticket = login.Admit(header, ip);
        if (!ticket.ok()) {
            return ticket.status();
        }
        return login.Complete(std::move(*ticket));
    }
    RefreshTokens refresh_tokens{users, tokens, refresh};
    LoginGoogle login_google{users, google, tokens, refresh};
};

TEST_F(AuthTest, RegisterStoresANormalisedAccountWithAHashedPassword) {
    ASSERT_THAT(Register(Basic("New@Example.com:secret"), "Newbie"), IsOk());
    auto u = users.FindByEmail("new@example.com");
    ASSERT_THAT(u, IsOk());
    EXPECT_EQ(u->email, "new@example.com");
    EXPECT_EQ(u->role, Role::kUser);
    EXPECT_EQ(u->provider, Provider::kCredentials);
    EXPECT_EQ(u->password_hash, "plain$secret");
}

TEST_F(AuthTest, RegisterRefusesDuplicatesWhateverTheCaseWithoutHashing) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    int before = hasher.hashes;
    EXPECT_THAT(
        Register(Basic("A@EXAMPLE.com:other"), "B"),
        StatusIs(absl::StatusCode::kAlreadyExists, "EMAIL_ALREADY_EXISTS"));
    EXPECT_EQ(hasher.hashes, before);
    EXPECT_EQ(users.Size(), 1u);
}

TEST_F(AuthTest, RegisterRefusesBadInputAndWritesNothing) {
    EXPECT_THAT(
        Register("Basic", "x"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_CREDENTIALS"));
    EXPECT_THAT(
        Register(Basic("not-an-email:secret"), "x"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_EMAIL"));
    EXPECT_THAT(
        Register(Basic("a@example.com:abc"), "x"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_PASSWORD"));
    EXPECT_THAT(
        Register(Basic("a@example.com:secret"), std::string(500, 'n')),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_NICKNAME"));
    users.FailNext();
    EXPECT_THAT(
        Register(Basic("a@example.com:secret"), "x"), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(users.Size(), 0u);
}

TEST_F(AuthTest, LoginIssuesAnAccessTokenThatParsesAndARefreshTokenThatDoesNot) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    auto pair = Login(Basic("A@example.com:secret"), "1.2.3.4");
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
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    auto pair = Login(Basic("a@example.com:secret"), "ip");
    clock.Advance(16min);
    EXPECT_THAT(
        ParseBearerToken(tokens, "Bearer " + pair->access_token),
        StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(AuthTest, LoginErrorsKeepTheOriginalIdentifiers) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    EXPECT_THAT(
        Login(Basic("nobody@example.com:secret"), "ip"),
        StatusIs(absl::StatusCode::kNotFound, "USER_NOT_FOUND"));
    EXPECT_THAT(
        Login(Basic("a@example.com:wrong"), "ip"),
        StatusIs(absl::StatusCode::kUnauthenticated, "INCORRECT_PASSWORD"));
    EXPECT_THAT(
        Login("Basic " + core::Base64Encode("nocolon"), "ip"),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AuthTest, RepeatedFailuresAreThrottledEvenWithTheRightPassword) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    for (int i = 0; i < 3; ++i) {
        EXPECT_THAT(
            Login(Basic("a@example.com:wrong"), "ip"),
            StatusIs(absl::StatusCode::kUnauthenticated));
    }
    EXPECT_THAT(
        Login(Basic("a@example.com:secret"), "ip"),
        StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_LOGIN_ATTEMPTS"));
    clock.Advance(16min);
    EXPECT_THAT(Login(Basic("a@example.com:secret"), "ip"), IsOk());
}

// Issue 5 §3: failures from one address never refuse the owner's right password elsewhere; they
// only slow attempts on the account from unknown addresses, a little.
TEST_F(AuthTest, FiftyFailuresFromOneAddressDoNotLockTheOwnerOutAtAnother) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    for (int i = 0; i < 50; ++i) {
        (void)Login(Basic("a@example.com:wrong"), "10.0.0.1");
    }
    EXPECT_THAT(
        Login(Basic("a@example.com:secret"), "10.0.0.1"),
        StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_LOGIN_ATTEMPTS"));
    auto ticket = login.Admit(Basic("a@example.com:secret"), "10.0.0.2");
    ASSERT_THAT(ticket, IsOk());
    EXPECT_LE(ticket->delay, 1s);  // at most slowed, a little
    EXPECT_THAT(login.Complete(std::move(*ticket)), IsOk());
}

// The gRPC adapter answers and only later drops its copy of the work: the attempt must stop
// counting as in flight when Complete returns, or a client's next try (sent on the answer) meets
// its own previous one and is refused early.
TEST_F(AuthTest, AnAttemptStopsCountingAsInFlightWhenCompleteReturns) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    std::vector<absl::StatusOr<LoginTicket>> kept;  // the callers' variables, still in scope
    for (int i = 0; i < 3; ++i) {  // the pair's limit is 3 failures
        kept.push_back(login.Admit(Basic("a@example.com:wrong"), "10.0.0.9"));
        ASSERT_THAT(kept.back(), IsOk()) << i;
        EXPECT_THAT(
            login.Complete(std::move(*kept.back())), StatusIs(absl::StatusCode::kUnauthenticated));
    }
    EXPECT_THAT(
        login.Admit(Basic("a@example.com:wrong"), "10.0.0.9"),
        StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_LOGIN_ATTEMPTS"));
}

TEST_F(AuthTest, AccountFailuresAcrossAddressesOnlyAddACappedProgressiveDelay) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    ASSERT_THAT(Login(Basic("a@example.com:secret"), "home"), IsOk());  // a known address
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 9; ++i) {
        std::string ip = "192.0.2." + std::to_string(i);
        auto ticket = login.Admit(Basic("a@example.com:wrong"), ip);
        ASSERT_THAT(ticket, IsOk());
        delays.push_back(ticket->delay);
        EXPECT_THAT(login.Complete(std::move(*ticket)), StatusIs(absl::StatusCode::kUnauthenticated));
    }
    EXPECT_THAT(delays, ::testing::ElementsAre(0ms, 0ms, 0ms, 0ms, 0ms, 250ms, 500ms, 1s, 1s));
    auto from_home = login.Admit(Basic("a@example.com:secret"), "home");
    ASSERT_THAT(from_home, IsOk());
    EXPECT_EQ(from_home->delay, 0ms);  // the owner's usual address is not slowed
}

// `victim@x\0junk` and a Kelvin-sign variant used to reach the real account (PostgreSQL cut the
// string at the NUL, lower() folded U+212A to "k") while the throttle counted another key.
TEST_F(AuthTest, LoginEmailsThatCouldResolveToAnotherAccountAreRefusedBeforeLookup) {
    ASSERT_THAT(Register(Basic("kim@example.com:secret"), "Kim"), IsOk());
    for (std::string email :
         {std::string("kim@example.com\0junk", 20), std::string("\xE2\x84\xAAim@example.com"),
          std::string("kim@example.com\xff"), std::string("kim@example.com\n"),
          std::string(" kim@example.com"), std::string("kim.example.com")}) {
        EXPECT_THAT(
            Login(Basic(email + ":secret"), "ip"),
            StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_EMAIL"))
            << ::testing::PrintToString(email);
    }
    EXPECT_THAT(Login(Basic("KIM@example.com:secret"), "ip"), IsOk());
}

// An office behind one address: someone there sprays cheap failures at unknown accounts. People
// who have signed in from there before still get in; a newcomer waits for the window.
TEST_F(AuthTest, AnAddressSprayingFailuresDoesNotLockOutItsKnownUsers) {
    ASSERT_THAT(Register(Basic("alice@example.com:secret"), "Alice"), IsOk());
    ASSERT_THAT(Register(Basic("bob@example.com:secret"), "Bob"), IsOk());
    ASSERT_THAT(Login(Basic("alice@example.com:secret"), "office"), IsOk());
    for (int i = 0; i < 100; ++i) {
        EXPECT_THAT(
            Login(Basic("nobody" + std::to_string(i) + "@example.com:x"), "office"),
            StatusIs(absl::StatusCode::kNotFound));
    }
    EXPECT_THAT(
        Login(Basic("nobody@example.com:x"), "office"),
        StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_LOGIN_ATTEMPTS"));
    EXPECT_THAT(
        Login(Basic("alice@example.com:typo"), "office"),
        StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(Login(Basic("alice@example.com:secret"), "office"), IsOk());
    EXPECT_THAT(
        Login(Basic("bob@example.com:secret"), "office"),
        StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(Login(Basic("bob@example.com:secret"), "elsewhere"), IsOk());
}

TEST_F(AuthTest, ManyDistinctFailingEmailsNeitherGrowTheThrottleNorSlowTheNextLogin) {
    std::size_t bytes = throttle.MemoryBytes();
    // The stated bound: five tables of 65,536 slots of 24 bytes, about 7.5 MiB, set at start.
    EXPECT_LE(bytes, std::size_t{5} * 65536 * 24 + 4096);
    for (int i = 0; i < 100'000; ++i) {
        std::string n = std::to_string(i);
        EXPECT_THAT(
            Login(Basic("user" + n + "@spray.example:x"), "198.51." + n),
            StatusIs(absl::StatusCode::kNotFound));
    }
    EXPECT_EQ(throttle.MemoryBytes(), bytes);
    EXPECT_LE(throttle.LiveEntriesForTest(clock.Now()), std::size_t{4} * 65536);
    auto start = std::chrono::steady_clock::now();
    auto ticket = login.Admit(Basic("fresh@example.com:x"), "203.0.113.1");
    ASSERT_THAT(ticket, IsOk());
    EXPECT_EQ(ticket->delay, 0ms);
    EXPECT_THAT(login.Complete(std::move(*ticket)), StatusIs(absl::StatusCode::kNotFound));
    // The issue asks for "a few ms"; generous, since CI runs under ASan on two cores.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
}

TEST_F(AuthTest, RegistrationIsRateLimitedPerAddress) {
    for (int i = 0; i < 5; ++i) {
        EXPECT_THAT(
            Register(Basic("u" + std::to_string(i) + "@example.com:secret"), "U", "10.1.1.1"),
            IsOk());
    }
    EXPECT_THAT(
        Register(Basic("u9@example.com:secret"), "U", "10.1.1.1"),
        StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_REGISTRATION_ATTEMPTS"));
    EXPECT_THAT(users.FindByEmail("u9@example.com"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(Register(Basic("u9@example.com:secret"), "U", "10.1.1.2"), IsOk());
    clock.Advance(61min);
    EXPECT_THAT(Register(Basic("u10@example.com:secret"), "U", "10.1.1.1"), IsOk());
}

TEST_F(AuthTest, NicknamesWithControlCharactersAreRefusedNotTruncated) {
    for (std::string nick :
         {std::string("Bob\0Evil", 8), std::string("Bob\x1b[31m"), std::string("Bob\tTab"),
          std::string("Bob\xC2\x85")}) {
        EXPECT_THAT(
            Register(Basic("bob@example.com:secret"), nick),
            StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_NICKNAME"));
    }
    EXPECT_EQ(users.Size(), 0u);
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
    ASSERT_THAT(Login(Basic("old@example.com:pw12"), "ip"), IsOk());
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
        Login(Basic("g@example.com:google"), "ip"),
        StatusIs(absl::StatusCode::kUnauthenticated, "INCORRECT_PASSWORD"));
}

TEST_F(AuthTest, RefreshRotatesAndAReplayRevokesThatLoginsFamilyOnly) {
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    auto first = Login(Basic("a@example.com:secret"), "ip");
    auto other_device = Login(Basic("a@example.com:secret"), "ip");
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
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    auto first = Login(Basic("a@example.com:secret"), "ip");
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
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
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
    ASSERT_THAT(Register(Basic("a@example.com:secret"), "A"), IsOk());
    auto boot = BootstrapAdmin(users, hasher).Execute("A@example.com", "pw123456");
    EXPECT_THAT(boot, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(std::string(boot.status().message()), ::testing::HasSubstr("a@example.com"));
    EXPECT_EQ(users.FindByEmail("a@example.com")->role, Role::kUser);
    EXPECT_EQ(users.FindByEmail("a@example.com")->password_hash, "plain$secret");
    EXPECT_THAT(users.AnyAdmin(), testkit::IsOkAndHolds(false));
}

}  // namespace
}  // namespace hatongsu::user
