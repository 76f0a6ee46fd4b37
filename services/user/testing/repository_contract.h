// One contract for the user service's repositories, run against the in-memory fakes (unit tests)
// and against PostgreSQL (tests/integration), so the fakes cannot drift from the real adapters.
// Instantiate with a type that has Users() and Refresh() returning the repositories under test
// (thread-safe: some tests call them from many threads):
//   INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, RepositoryContract, InMemoryRepositories);
#pragma once

#include <latch>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user::testing {

template <typename Repositories>
class RepositoryContract : public ::testing::Test {
protected:
    static User NewUser(const std::string& email, Provider provider = Provider::kCredentials) {
        return User{
            .id = {},
            .email = email,
            .nickname = "Nick 닉",
            .profile = std::nullopt,
            .role = Role::kUser,
            .provider = provider,
            .password_hash = provider == Provider::kCredentials
                                 ? std::optional<std::string>("hash-1")
                                 : std::nullopt};
    }
    static std::string UniqueEmail() { return "c-" + core::RandomUuidV4() + "@example.com"; }

    Repositories repos_;
};

TYPED_TEST_SUITE_P(RepositoryContract);

TYPED_TEST_P(RepositoryContract, InsertAssignsAnIdAndTheAccountIsFoundByIdAndEmail) {
    UserRepository& users = this->repos_.Users();
    std::string email = this->UniqueEmail();
    auto inserted = users.Insert(this->NewUser(email));
    ASSERT_THAT(inserted, testkit::IsOk());
    EXPECT_TRUE(core::IsUuid(inserted->id));
    auto by_id = users.FindById(inserted->id);
    ASSERT_THAT(by_id, testkit::IsOk());
    EXPECT_EQ(by_id->email, email);
    EXPECT_EQ(by_id->nickname, "Nick 닉");
    EXPECT_EQ(by_id->role, Role::kUser);
    EXPECT_EQ(by_id->provider, Provider::kCredentials);
    EXPECT_EQ(by_id->password_hash, "hash-1");
    EXPECT_FALSE(by_id->profile.has_value());
    auto upper = email;
    for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    auto by_email = users.FindByEmail(upper);
    ASSERT_THAT(by_email, testkit::IsOk());
    EXPECT_EQ(by_email->id, inserted->id);
}

TYPED_TEST_P(RepositoryContract, DuplicateEmailsAndUnknownAccounts) {
    UserRepository& users = this->repos_.Users();
    std::string email = this->UniqueEmail();
    ASSERT_THAT(users.Insert(this->NewUser(email)), testkit::IsOk());
    EXPECT_THAT(
        users.Insert(this->NewUser(email)), testkit::StatusIs(absl::StatusCode::kAlreadyExists));
    EXPECT_THAT(
        users.FindByEmail(this->UniqueEmail()), testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        users.FindById(core::RandomUuidV4()), testkit::StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(users.FindById("not-a-uuid"), testkit::StatusIs(absl::StatusCode::kNotFound));
}

TYPED_TEST_P(RepositoryContract, OptionalFieldsRoundTrip) {
    UserRepository& users = this->repos_.Users();
    User google = this->NewUser(this->UniqueEmail(), Provider::kGoogle);
    google.profile = "https://pics.example/p.png";
    auto inserted = users.Insert(google);
    ASSERT_THAT(inserted, testkit::IsOk());
    auto back = users.FindById(inserted->id);
    EXPECT_EQ(back->provider, Provider::kGoogle);
    EXPECT_FALSE(back->password_hash.has_value());
    EXPECT_EQ(back->profile, "https://pics.example/p.png");
}

TYPED_TEST_P(RepositoryContract, UpdatesPasswordAndRole) {
    UserRepository& users = this->repos_.Users();
    auto inserted = users.Insert(this->NewUser(this->UniqueEmail()));
    ASSERT_THAT(users.UpdatePasswordHash(inserted->id, "hash-2"), testkit::IsOk());
    ASSERT_THAT(users.UpdateRole(inserted->id, Role::kAdmin), testkit::IsOk());
    auto back = users.FindById(inserted->id);
    EXPECT_EQ(back->password_hash, "hash-2");
    EXPECT_EQ(back->role, Role::kAdmin);
    EXPECT_THAT(users.AnyAdmin(), testkit::IsOkAndHolds(true));
}

// Listing with filters, sorting and paging. Other tests share the database, so every row here
// carries a random tag and every filter names it.
TYPED_TEST_P(RepositoryContract, ListFiltersLiterallySortsStablyAndPages) {
    UserRepository& users = this->repos_.Users();
    std::string tag = core::AsciiLower(core::RandomUuidV4().substr(0, 8));
    std::map<std::string, std::string> ids;  // nickname prefix -> id
    for (const char* nick : {"d-plain", "c_low", "cxlow", "a%pct"}) {
        User u = this->NewUser("l" + std::to_string(ids.size()) + "." + tag + "@list.example");
        u.nickname = std::string(nick) + "-" + tag;
        auto inserted = users.Insert(u);
        ASSERT_THAT(inserted, testkit::IsOk());
        ids[nick] = inserted->id;
    }
    auto nicknames = [](const UserPage& page) {
        std::vector<std::string> out;
        for (const User& u : page.users) {
            out.push_back(u.nickname);
        }
        return out;
    };
    std::string upper_tag = tag;
    for (char& c : upper_tag) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    UserQuery by_tag{
        .filter_field = UserField::kEmail,
        .filter_value = upper_tag,  // substring, ignoring case
        .sort = {{UserField::kNickname, true}},
        .offset = 0,
        .limit = 2};
    auto first = users.List(by_tag);
    ASSERT_THAT(first, testkit::IsOk());
    EXPECT_EQ(first->total_count, 4);
    EXPECT_THAT(nicknames(*first), ::testing::ElementsAre("d-plain-" + tag, "cxlow-" + tag));
    by_tag.offset = 2;
    auto second = users.List(by_tag);
    ASSERT_THAT(second, testkit::IsOk());
    EXPECT_EQ(second->total_count, 4);
    EXPECT_THAT(nicknames(*second), ::testing::ElementsAre("c_low-" + tag, "a%pct-" + tag));

    // '_' and '%' are literal characters, not wildcards.
    UserQuery underscore{
        .filter_field = UserField::kNickname,
        .filter_value = "C_LOW-" + upper_tag,
        .sort = {},
        .offset = 0,
        .limit = 10};
    auto literal = users.List(underscore);
    ASSERT_THAT(literal, testkit::IsOk());
    ASSERT_EQ(literal->total_count, 1);
    EXPECT_EQ(literal->users.at(0).id, ids["c_low"]);
    UserQuery percent{
        .filter_field = UserField::kNickname,
        .filter_value = "d%-" + tag,
        .sort = {},
        .offset = 0,
        .limit = 10};
    auto none = users.List(percent);
    ASSERT_THAT(none, testkit::IsOk());
    EXPECT_EQ(none->total_count, 0);  // as a wildcard, '%' would match "d-plain-<tag>"

    // Equal sort keys fall back to the id, so pages never overlap.
    UserQuery same_role{
        .filter_field = UserField::kEmail,
        .filter_value = tag,
        .sort = {{UserField::kRole, false}},
        .offset = 0,
        .limit = 10};
    auto by_role = users.List(same_role);
    ASSERT_THAT(by_role, testkit::IsOk());
    ASSERT_EQ(by_role->users.size(), 4u);
    for (std::size_t i = 1; i < by_role->users.size(); ++i) {
        EXPECT_LT(by_role->users[i - 1].id, by_role->users[i].id);
    }

    // Other fields filter by equality.
    ASSERT_THAT(users.UpdateRole(ids["cxlow"], Role::kAdmin), testkit::IsOk());
    UserQuery admins{
        .filter_field = UserField::kRole,
        .filter_value = "admin",
        .sort = {},
        .offset = 0,
        .limit = 1000};
    auto found = users.List(admins);
    ASSERT_THAT(found, testkit::IsOk());
    EXPECT_GE(found->total_count, 1);
    bool has_cxlow = false;
    for (const User& u : found->users) {
        EXPECT_EQ(u.role, Role::kAdmin);
        has_cxlow = has_cxlow || u.id == ids["cxlow"];
    }
    EXPECT_TRUE(has_cxlow);
}

TYPED_TEST_P(RepositoryContract, RotationSpendsTheOldTokenAndAReplayRevokesThatFamilyOnly) {
    UserRepository& users = this->repos_.Users();
    RefreshTokenRepository& refresh = this->repos_.Refresh();
    auto owner = users.Insert(this->NewUser(this->UniqueEmail()));
    auto stranger = users.Insert(this->NewUser(this->UniqueEmail()));
    ASSERT_THAT(owner, testkit::IsOk());
    ASSERT_THAT(stranger, testkit::IsOk());
    auto token = [&](const std::string& user_id) {
        return RefreshTokenRecord{
            .jti = core::RandomUuidV4(),
            .user_id = user_id,
            .expires_at = std::chrono::system_clock::now() + std::chrono::hours(1)};
    };
    RefreshTokenRecord a1 = token(owner->id);
    RefreshTokenRecord b1 = token(owner->id);  // the same user on another device
    ASSERT_THAT(refresh.StartFamily(a1), testkit::IsOk());
    ASSERT_THAT(refresh.StartFamily(b1), testkit::IsOk());

    RefreshTokenRecord a2 = token(owner->id);
    EXPECT_THAT(refresh.Rotate(a1.jti, a2), testkit::IsOkAndHolds(RotateResult::kRotated));
    RefreshTokenRecord a3 = token(owner->id);
    EXPECT_THAT(refresh.Rotate(a1.jti, a3), testkit::IsOkAndHolds(RotateResult::kReused));
    // The replay revoked a2 (the successor) and stored nothing.
    EXPECT_THAT(
        refresh.Rotate(a2.jti, token(owner->id)), testkit::IsOkAndHolds(RotateResult::kReused));
    EXPECT_THAT(
        refresh.Rotate(a3.jti, token(owner->id)), testkit::IsOkAndHolds(RotateResult::kUnknown));

    // Another user's id, or an id never stored, is unknown and changes nothing.
    EXPECT_THAT(
        refresh.Rotate(b1.jti, token(stranger->id)), testkit::IsOkAndHolds(RotateResult::kUnknown));
    EXPECT_THAT(
        refresh.Rotate(core::RandomUuidV4(), token(owner->id)),
        testkit::IsOkAndHolds(RotateResult::kUnknown));
    // The other family survives.
    RefreshTokenRecord b2 = token(owner->id);
    EXPECT_THAT(refresh.Rotate(b1.jti, b2), testkit::IsOkAndHolds(RotateResult::kRotated));
    EXPECT_THAT(
        refresh.Rotate(b2.jti, token(owner->id)), testkit::IsOkAndHolds(RotateResult::kRotated));
}

TYPED_TEST_P(RepositoryContract, ExpiredRefreshTokensAreUnknown) {
    UserRepository& users = this->repos_.Users();
    RefreshTokenRepository& refresh = this->repos_.Refresh();
    auto owner = users.Insert(this->NewUser(this->UniqueEmail()));
    ASSERT_THAT(owner, testkit::IsOk());
    RefreshTokenRecord old{
        .jti = core::RandomUuidV4(),
        .user_id = owner->id,
        .expires_at = std::chrono::system_clock::now() - std::chrono::hours(1)};
    ASSERT_THAT(refresh.StartFamily(old), testkit::IsOk());
    RefreshTokenRecord next{
        .jti = core::RandomUuidV4(),
        .user_id = owner->id,
        .expires_at = std::chrono::system_clock::now() + std::chrono::hours(1)};
    EXPECT_THAT(refresh.Rotate(old.jti, next), testkit::IsOkAndHolds(RotateResult::kUnknown));
    EXPECT_THAT(
        refresh.Rotate(next.jti, {core::RandomUuidV4(), owner->id, next.expires_at}),
        testkit::IsOkAndHolds(RotateResult::kUnknown));  // nothing was stored
}

// 20 clients present one token at once: one wins, the other 19 are replays, and since each of them
// ran after the winner, they revoke the family with the winner's successor in it.
TYPED_TEST_P(
    RepositoryContract, ConcurrentRotationsOfOneTokenHaveOneWinnerWhoseSuccessorIsRevoked) {
    UserRepository& users = this->repos_.Users();
    RefreshTokenRepository& refresh = this->repos_.Refresh();
    auto owner = users.Insert(this->NewUser(this->UniqueEmail()));
    ASSERT_THAT(owner, testkit::IsOk());
    auto later = std::chrono::system_clock::now() + std::chrono::hours(1);
    RefreshTokenRecord stolen{core::RandomUuidV4(), owner->id, later};
    RefreshTokenRecord other_device{core::RandomUuidV4(), owner->id, later};
    ASSERT_THAT(refresh.StartFamily(stolen), testkit::IsOk());
    ASSERT_THAT(refresh.StartFamily(other_device), testkit::IsOk());

    constexpr int kClients = 20;
    std::vector<RefreshTokenRecord> successors;
    for (int i = 0; i < kClients; ++i) {
        successors.push_back({core::RandomUuidV4(), owner->id, later});
    }
    std::vector<absl::StatusOr<RotateResult>> results(kClients, absl::UnknownError("not run"));
    std::latch start(kClients);
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&, i] {
            start.arrive_and_wait();
            results[static_cast<std::size_t>(i)] =
                refresh.Rotate(stolen.jti, successors[static_cast<std::size_t>(i)]);
        });
    }
    for (auto& t : clients) {
        t.join();
    }
    int rotated = 0;
    int reused = 0;
    const RefreshTokenRecord* winner = nullptr;
    for (int i = 0; i < kClients; ++i) {
        const auto& r = results[static_cast<std::size_t>(i)];
        ASSERT_THAT(r, testkit::IsOk());
        if (*r == RotateResult::kRotated) {
            ++rotated;
            winner = &successors[static_cast<std::size_t>(i)];
        } else if (*r == RotateResult::kReused) {
            ++reused;
        }
    }
    EXPECT_EQ(rotated, 1);
    EXPECT_EQ(reused, kClients - 1);
    ASSERT_NE(winner, nullptr);
    EXPECT_THAT(
        refresh.Rotate(winner->jti, {core::RandomUuidV4(), owner->id, later}),
        testkit::IsOkAndHolds(RotateResult::kReused));
    EXPECT_THAT(
        refresh.Rotate(other_device.jti, {core::RandomUuidV4(), owner->id, later}),
        testkit::IsOkAndHolds(RotateResult::kRotated));
}

REGISTER_TYPED_TEST_SUITE_P(
    RepositoryContract,
    InsertAssignsAnIdAndTheAccountIsFoundByIdAndEmail,
    DuplicateEmailsAndUnknownAccounts,
    OptionalFieldsRoundTrip,
    UpdatesPasswordAndRole,
    ListFiltersLiterallySortsStablyAndPages,
    RotationSpendsTheOldTokenAndAReplayRevokesThatFamilyOnly,
    ExpiredRefreshTokensAreUnknown,
    ConcurrentRotationsOfOneTokenHaveOneWinnerWhoseSuccessorIsRevoked);

}  // namespace hatongsu::user::testing
