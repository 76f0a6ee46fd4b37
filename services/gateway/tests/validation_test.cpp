#include "services/gateway/adapter/http/validation.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace hatongsu::gateway::http {
namespace {

TEST(ParseJsNumber, FollowsJavaScriptNumber) {
    EXPECT_EQ(ParseJsNumber("5"), 5.0);
    EXPECT_EQ(ParseJsNumber(" 5 "), 5.0);
    EXPECT_EQ(ParseJsNumber("1e3"), 1000.0);
    EXPECT_EQ(ParseJsNumber("0x10"), 16.0);
    EXPECT_EQ(ParseJsNumber("0b101"), 5.0);
    EXPECT_EQ(ParseJsNumber("-2.9"), -2.9);
    EXPECT_EQ(ParseJsNumber(".5"), 0.5);
    EXPECT_FALSE(ParseJsNumber("abc"));
    EXPECT_FALSE(ParseJsNumber("5px"));
    EXPECT_FALSE(ParseJsNumber("Infinity"));
    EXPECT_FALSE(ParseJsNumber("1e999"));
    EXPECT_FALSE(ParseJsNumber("0x"));
    EXPECT_FALSE(ParseJsNumber("-0x10"));
    EXPECT_FALSE(ParseJsNumber("nan"));
}

TEST(ToInt32, TruncatesAndWraps) {
    EXPECT_EQ(ToInt32(2.9), 2);
    EXPECT_EQ(ToInt32(-2.9), -2);
    EXPECT_EQ(ToInt32(4294967297.0), 1);
    EXPECT_EQ(ToInt32(2147483648.0), -2147483648);
}

struct Req {
    explicit Req(const std::string& query)
        : ctx{.request = request,
              .request_id = {},
              .remote_ip = {},
              .path = {},
              .query = net::Query::Parse(query),
              .params = {}} {}
    net::Request request;
    net::Context ctx;
};

TEST(NumericParam, DefaultsForAbsentAndEmptyAndRefusesNaNAndRepeats) {
    Validation v;
    EXPECT_EQ(NumericParam(Req("").ctx, "page", 1, v), 1);
    EXPECT_EQ(NumericParam(Req("page=").ctx, "page", 1, v), 1);
    EXPECT_EQ(NumericParam(Req("page=3").ctx, "page", 1, v), 3);
    EXPECT_TRUE(v.Ok());
    NumericParam(Req("page=x").ctx, "page", 1, v);
    NumericParam(Req("limit=1&limit=2").ctx, "limit", 10, v);
    EXPECT_FALSE(v.Ok());
    auto body = Validation(v).Fail(Req("").ctx);
    EXPECT_EQ(body.result_int(), 422);
    EXPECT_NE(
        body.body().find(
            R"("page":"page must be a number conforming to the specified constraints")"),
        std::string::npos);
    EXPECT_NE(body.body().find(R"("limit":)"), std::string::npos);
}

TEST(SortParam, ParsesJsonArraysAndReportsNonStringOrders) {
    Validation v;
    auto sort = SortParam(
        Req(R"(sort=[{"orderBy":"createdAt","order":"desc","x":1},{"orderBy":"id","order":"ASC"}])")
            .ctx,
        v, kUserSortFields);
    ASSERT_TRUE(sort.ok());
    ASSERT_EQ(sort->size(), 2u);
    EXPECT_EQ((*sort)[0], (std::pair<std::string, std::string>{"createdAt", "desc"}));
    EXPECT_EQ((*sort)[1], (std::pair<std::string, std::string>{"id", "ASC"}));
    EXPECT_TRUE(SortParam(Req("sort=").ctx, v, kUserSortFields)->empty());
    EXPECT_FALSE(SortParam(Req("sort=nope").ctx, v, kUserSortFields).ok());
    EXPECT_FALSE(SortParam(Req(R"(sort={"orderBy":"x"})").ctx, v, kUserSortFields).ok());
    EXPECT_TRUE(v.Ok());
    (void)SortParam(Req(R"(sort=[{"orderBy":"a","order":1}])").ctx, v, kUserSortFields);
    EXPECT_NE(
        v.Fail(Req("").ctx).body().find(R"("sort":{"0":{"order":"order must be a string"}})"),
        std::string::npos);
}

// Issue 5, section 6: the gateway itself keeps /user/all to the listed fields.
TEST(SortParam, RefusesFieldsAndDirectionsOutsideTheList) {
    Validation v;
    for (const char* query :
         {R"(sort=[{"orderBy":"password","order":"asc"}])", R"(sort=[{"orderBy":5,"order":"asc"}])",
          R"(sort=[{"order":"asc"}])", R"(sort=[{"orderBy":"email","order":"sideways"}])"}) {
        EXPECT_EQ(
            SortParam(Req(query).ctx, v, kUserSortFields).status().code(),
            absl::StatusCode::kInvalidArgument)
            << query;
    }
}

TEST(FilterParam, RefusesFieldsOutsideTheList) {
    Validation v;
    for (const char* field : {"password", "id", "createdAt", "5"}) {
        auto f = FilterParam(
            Req(std::string(R"(filter={"field":")") + field + R"(","value":"x"})").ctx, v);
        EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument) << field;
    }
    for (const char* field : {"email", "nickname", "role", "provider"}) {
        EXPECT_TRUE(
            FilterParam(
                Req(std::string(R"(filter={"field":")") + field + R"(","value":"x"})").ctx, v)
                .ok())
            << field;
    }
    EXPECT_TRUE(FilterParam(Req(R"(filter={"field":"password","value":""})").ctx, v).ok());
}

TEST(FilterParam, ParsesObjectsAndReportsNonStringValues) {
    Validation v;
    auto f = FilterParam(Req(R"(filter={"field":"email","value":"ex"})").ctx, v);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->first, "email");
    EXPECT_FALSE(FilterParam(Req("filter={").ctx, v).ok());
    (void)FilterParam(Req(R"(filter={"field":"email","value":3})").ctx, v);
    EXPECT_NE(
        v.Fail(Req("").ctx).body().find(R"("filter":{"value":"value must be a string"})"),
        std::string::npos);
}

TEST(RequiredString, UsesTheOriginalMessages) {
    Validation v;
    RequiredString(boost::json::object{}, "nickname", v);
    RequiredString(boost::json::object{{"email", 3}}, "email", v);
    RequiredString(boost::json::object{{"profile", ""}}, "profile", v);
    std::string body = v.Fail(Req("").ctx).body();
    EXPECT_NE(
        body.find(R"("nickname":"nickname should not be empty, nickname must be a string")"),
        std::string::npos);
    EXPECT_NE(body.find(R"("email":"email must be a string")"), std::string::npos);
    EXPECT_NE(body.find(R"("profile":"profile should not be empty")"), std::string::npos);
}

}  // namespace
}  // namespace hatongsu::gateway::http
