// One contract for the user service's repositories, run against the in-memory fakes (unit tests)
// and against PostgreSQL (tests/integration), so the fakes cannot drift from the real adapters.
// Instantiate with a type that has Users() and Refresh() returning the repositories under test:
//   INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, RepositoryContract, InMemoryRepositories);
#pragma once

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

TYPED_TEST_P(RepositoryContract, RefreshTokensAreSpentOnceAndRevokedTogether) {
    UserRepository& users = this->repos_.Users();
    RefreshTokenRepository& refresh = this->repos_.Refresh();
    auto owner = users.Insert(this->NewUser(this->UniqueEmail()));
    ASSERT_THAT(owner, testkit::IsOk());
    auto later = std::chrono::system_clock::now() + std::chrono::hours(1);
    std::string a = core::RandomUuidV4();
    std::string b = core::RandomUuidV4();
    ASSERT_THAT(refresh.Save(a, owner->id, later), testkit::IsOk());
    ASSERT_THAT(refresh.Save(b, owner->id, later), testkit::IsOk());
    EXPECT_THAT(refresh.Spend(a), testkit::IsOkAndHolds(SpendResult::kSpent));
    EXPECT_THAT(refresh.Spend(a), testkit::IsOkAndHolds(SpendResult::kAlreadySpent));
    EXPECT_THAT(refresh.Spend(core::RandomUuidV4()), testkit::IsOkAndHolds(SpendResult::kUnknown));
    ASSERT_THAT(refresh.RevokeAllOf(owner->id), testkit::IsOk());
    EXPECT_THAT(refresh.Spend(b), testkit::IsOkAndHolds(SpendResult::kAlreadySpent));
}

REGISTER_TYPED_TEST_SUITE_P(
    RepositoryContract,
    InsertAssignsAnIdAndTheAccountIsFoundByIdAndEmail,
    DuplicateEmailsAndUnknownAccounts,
    OptionalFieldsRoundTrip,
    UpdatesPasswordAndRole,
    RefreshTokensAreSpentOnceAndRevokedTogether);

}  // namespace hatongsu::user::testing
