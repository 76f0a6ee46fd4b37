#include "services/user/usecase/get_users.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"
#include "services/user/testing/in_memory_repositories.h"

namespace hatongsu::user {
namespace {

using testkit::IsOk;
using testkit::StatusIs;

TEST(GetUsers, ClampsPagingAndAlwaysSorts) {
    testing::InMemoryUserRepository users;
    GetUsers get_users(users);
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = {}, .filter_value = {}, .sort = {}, .page = 0, .limit = 0}),
        IsOk());
    EXPECT_EQ(users.LastQuery().limit, 10);
    EXPECT_EQ(users.LastQuery().offset, 0);
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = {}, .filter_value = {}, .sort = {}, .page = 3, .limit = 1000}),
        IsOk());
    EXPECT_EQ(users.LastQuery().limit, 100);
    EXPECT_EQ(users.LastQuery().offset, 200);
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = {}, .filter_value = {}, .sort = {}, .page = -5, .limit = -1}),
        IsOk());
    EXPECT_EQ(users.LastQuery().offset, 0);
    EXPECT_EQ(users.LastQuery().limit, 10);
}

TEST(GetUsers, WhitelistsFieldsAndTakesDirectionsCaseInsensitively) {
    testing::InMemoryUserRepository users;
    GetUsers get_users(users);
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = "email",
             .filter_value = "ex",
             .sort = {{"createdAt", "DESC"}, {"email", "asc"}, {"createdAt", "asc"}},
             .page = 1,
             .limit = 10}),
        IsOk());
    ASSERT_EQ(users.LastQuery().sort.size(), 2u);
    EXPECT_EQ(users.LastQuery().sort[0].field, UserField::kCreatedAt);
    EXPECT_FALSE(users.LastQuery().sort[0].descending);
    EXPECT_EQ(users.LastQuery().filter_field, UserField::kEmail);
    EXPECT_THAT(
        get_users.Execute(
            {.filter_field = "password", .filter_value = "x", .sort = {}, .page = 1, .limit = 1}),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        get_users.Execute(
            {.filter_field = {},
             .filter_value = {},
             .sort = {{"password", "asc"}},
             .page = 1,
             .limit = 1}),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        get_users.Execute(
            {.filter_field = {},
             .filter_value = {},
             .sort = {{"email", "sideways"}},
             .page = 1,
             .limit = 1}),
        StatusIs(absl::StatusCode::kInvalidArgument));
    // A filter with an empty value is no filter (as the original).
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = "password", .filter_value = "", .sort = {}, .page = 1, .limit = 1}),
        IsOk());
    EXPECT_FALSE(users.LastQuery().filter_field.has_value());
}

// Through the fake, which filters, sorts and pages as PostgreSQL does (the repository contract).
TEST(GetUsers, ReturnsTheFilteredSortedPage) {
    testing::InMemoryUserRepository users;
    for (auto [email, nick] :
         {std::pair{"b@example.com", "Bee"}, std::pair{"a@example.com", "Ant"},
          std::pair{"c@other.org", "Cat"}}) {
        ASSERT_THAT(
            users.Insert(
                {.id = {},
                 .email = email,
                 .nickname = nick,
                 .profile = {},
                 .role = Role::kUser,
                 .provider = Provider::kCredentials,
                 .password_hash = "h"}),
            IsOk());
    }
    GetUsers get_users(users);
    auto page = get_users.Execute(
        {.filter_field = "email",
         .filter_value = "EXAMPLE",
         .sort = {{"nickname", "desc"}},
         .page = 1,
         .limit = 1});
    ASSERT_THAT(page, IsOk());
    EXPECT_EQ(page->total_count, 2);
    ASSERT_EQ(page->users.size(), 1u);
    EXPECT_EQ(page->users[0].nickname, "Bee");
}

}  // namespace
}  // namespace hatongsu::user
