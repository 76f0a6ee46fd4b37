// The user service's PostgreSQL adapters against a real server (HATONGSU_PG_BASE, set by
// scripts/test.sh): the shared repository contract (listing included), migrations, and what only
// PostgreSQL can do wrong (concurrency under real transactions, malformed values).
#include <cstdlib>
#include <latch>
#include <memory>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/pg/migrate.h"
#include "services/user/adapter/jwt/jwt_token_codec.h"
#include "services/user/adapter/pg/pg_user_repository.h"
#include "services/user/testing/repository_contract.h"
#include "services/user/usecase/issue_tokens.h"
#include "services/user/usecase/refresh_tokens.h"

namespace hatongsu::user::testing {
namespace {

// One fresh database per test process, migrated like production.
hatongsu::pg::Pool& TestPool() {
    static std::unique_ptr<hatongsu::pg::Pool> pool = [] {
        const char* base =
            std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): test setup
        if (base == nullptr) {
            throw std::runtime_error(
                "HATONGSU_PG_BASE is not set: run through scripts/test.sh (make test)");
        }
        std::string db = "it_user_" + core::AsciiLower(core::RandomUuidV4().substr(0, 8));
        {
            pqxx::connection admin(std::string(base) + "/postgres");
            pqxx::nontransaction tx(admin);
            tx.exec("CREATE DATABASE " + db);
        }
        // 10 connections for the 20 threads of the concurrency tests: real contention in the
        // database, and room for the other test processes on the same server.
        auto p = std::make_unique<hatongsu::pg::Pool>(
            std::string(base) + "/" + db, 10, std::chrono::seconds(5));
        absl::Status s = hatongsu::pg::Migrate(*p, "user", pg::Migrations());
        if (!s.ok()) {
            throw std::runtime_error("migrations failed: " + std::string(s.message()));
        }
        return p;
    }();
    return *pool;
}

struct PgRepositories {
    UserRepository& Users() { return users; }
    RefreshTokenRepository& Refresh() { return refresh; }
    pg::PgUserRepository users{TestPool()};
    pg::PgRefreshTokenRepository refresh{TestPool()};
};

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, RepositoryContract, PgRepositories);

TEST(PgMigrations, AreIdempotentAndRecorded) {
    hatongsu::pg::Pool& pool = TestPool();
    EXPECT_THAT(hatongsu::pg::Migrate(pool, "user", pg::Migrations()), testkit::IsOk());
    auto versions = pool.Run("count", [](pqxx::connection& c) -> absl::StatusOr<int> {
        pqxx::nontransaction tx(c);
        return tx
            .exec("SELECT count(*) FROM hatongsu_schema_migrations WHERE service = 'user'")[0][0]
            .as<int>();
    });
    EXPECT_THAT(versions, testkit::IsOkAndHolds(static_cast<int>(pg::Migrations().size())));
}

// Issue 5, section 6: a malformed UUID reaching PostgreSQL (SQLSTATE 22P02) is the caller's error.
TEST(PgUserRepository, MalformedIdsAreNeverInternalErrors) {
    pg::PgUserRepository users(TestPool());
    pg::PgRefreshTokenRepository refresh(TestPool());
    EXPECT_THAT(users.FindById("'; DROP"), testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        users.UpdateRole("not-a-uuid", Role::kAdmin),
        testkit::StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        refresh.Rotate(
            "not-a-uuid", {core::RandomUuidV4(), "also-not",
                           std::chrono::system_clock::now() + std::chrono::hours(1)}),
        testkit::StatusIs(absl::StatusCode::kInvalidArgument));
}

// Families whose tokens have all expired are deleted at the user's next login; live ones stay.
TEST(PgRefreshTokenRepository, ALoginClearsTheUsersDeadFamilies) {
    pg::PgUserRepository users(TestPool());
    pg::PgRefreshTokenRepository refresh(TestPool());
    auto owner = users.Insert(
        {.id = {},
         .email = "dead-" + core::RandomUuidV4() + "@example.com",
         .nickname = "Dead",
         .profile = std::nullopt,
         .role = Role::kUser,
         .provider = Provider::kCredentials,
         .password_hash = "h"});
    ASSERT_THAT(owner, testkit::IsOk());
    auto now = std::chrono::system_clock::now();
    ASSERT_THAT(
        refresh.StartFamily({core::RandomUuidV4(), owner->id, now - std::chrono::hours(1)}),
        testkit::IsOk());
    ASSERT_THAT(
        refresh.StartFamily({core::RandomUuidV4(), owner->id, now + std::chrono::hours(1)}),
        testkit::IsOk());
    ASSERT_THAT(
        refresh.StartFamily({core::RandomUuidV4(), owner->id, now + std::chrono::hours(1)}),
        testkit::IsOk());
    auto families = TestPool().Run("count", [&](pqxx::connection& c) -> absl::StatusOr<int> {
        pqxx::nontransaction tx(c);
        return tx
            .exec_params(
                "SELECT count(*) FROM refresh_family WHERE user_id = $1::uuid", owner->id)[0][0]
            .as<int>();
    });
    EXPECT_THAT(families, testkit::IsOkAndHolds(2));
}

// Issue 5, section 5, end to end through the use case: one token refreshed by 20 clients at once.
TEST(PgRefreshTokens, TwentyConcurrentRefreshesOfOneTokenGiveOneSuccessAndRevokeOnlyThatFamily) {
    pg::PgUserRepository users(TestPool());
    pg::PgRefreshTokenRepository refresh(TestPool());
    core::SystemClock clock;
    jwt::JwtTokenCodec tokens({"access-secret", "refresh-secret"}, clock);
    RefreshTokens refresh_tokens(users, tokens, refresh);
    auto owner = users.Insert(
        {.id = {},
         .email = "fam-" + core::RandomUuidV4() + "@example.com",
         .nickname = "Fam",
         .profile = std::nullopt,
         .role = Role::kUser,
         .provider = Provider::kCredentials,
         .password_hash = "h"});
    ASSERT_THAT(owner, testkit::IsOk());
    auto stolen = IssueTokens(*owner, tokens, refresh);        // one login
    auto other_device = IssueTokens(*owner, tokens, refresh);  // a second login, another family
    ASSERT_THAT(stolen, testkit::IsOk());
    ASSERT_THAT(other_device, testkit::IsOk());

    constexpr int kClients = 20;
    std::vector<absl::StatusOr<TokenPair>> results(kClients, absl::UnknownError("not run"));
    std::latch start(kClients);
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&, i] {
            start.arrive_and_wait();
            results[static_cast<std::size_t>(i)] = refresh_tokens.Execute(stolen->refresh_token);
        });
    }
    for (auto& t : clients) {
        t.join();
    }
    std::optional<TokenPair> winner;
    int reused = 0;
    for (const auto& r : results) {
        if (r.ok()) {
            EXPECT_FALSE(winner.has_value()) << "a second success";
            winner = *r;
        } else {
            EXPECT_THAT(
                r, testkit::StatusIs(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_REUSED"));
            ++reused;
        }
    }
    ASSERT_TRUE(winner.has_value());
    EXPECT_EQ(reused, kClients - 1);
    // The replays revoked the family, the winner's new token included...
    EXPECT_THAT(
        refresh_tokens.Execute(winner->refresh_token),
        testkit::StatusIs(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_REUSED"));
    // ...and nothing else: the other login still refreshes.
    EXPECT_THAT(refresh_tokens.Execute(other_device->refresh_token), testkit::IsOk());
}

}  // namespace
}  // namespace hatongsu::user::testing
