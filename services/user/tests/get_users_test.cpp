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
    EXPECT_EQ(users.last_query.limit, 10);
    EXPECT_EQ(users.last_query.offset, 0);
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = {}, .filter_value = {}, .sort = {}, .page = 3, .limit = 1000}),
        IsOk());
    EXPECT_EQ(users.last_query.limit, 100);
    EXPECT_EQ(users.last_query.offset, 200);
    ASSERT_THAT(
        get_users.Execute(
            {.filter_field = {}, .filter_value = {}, .sort = {}, .page = -5, .limit = -1}),
        IsOk());
    EXPECT_EQ(users.last_query.offset, 0);
    EXPECT_EQ(users.last_query.limit, 10);
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
    ASSERT_EQ(users.last_query.sort.size(), 2u);
    EXPECT_EQ(users.last_query.sort[0].field, UserField::kCreatedAt);
    EXPECT_FALSE(users.last_query.sort[0].descending);
    EXPECT_EQ(users.last_query.filter_field, UserField::kEmail);
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
    EXPECT_FALSE(users.last_query.filter_field.has_value());
}

}  // namespace
}  // namespace hatongsu::user
