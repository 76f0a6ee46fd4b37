#include "hatongsu/net/router.h"

#include <gtest/gtest.h>

namespace hatongsu::net {
namespace {

boost::asio::awaitable<Response> Dummy(Context&) {
    co_return Response{};
}

struct RouterTest : ::testing::Test {
    Request req;
    Context ctx{
        .request = req, .request_id = {}, .remote_ip = {}, .path = {}, .query = {}, .params = {}};
    Router router;
};

TEST_F(RouterTest, MatchesCaseInsensitivelyWithOneTrailingSlash) {
    router.Add(http::verb::get, "/album/cursor", Dummy);
    EXPECT_NE(router.Match(http::verb::get, "/album/cursor", ctx), nullptr);
    EXPECT_NE(router.Match(http::verb::get, "/ALBUM/Cursor/", ctx), nullptr);
    EXPECT_EQ(router.Match(http::verb::get, "/album/cursor//", ctx), nullptr);
    EXPECT_EQ(router.Match(http::verb::get, "/album", ctx), nullptr);
    EXPECT_EQ(router.Match(http::verb::post, "/album/cursor", ctx), nullptr);
}

TEST_F(RouterTest, HeadIsAnsweredByGetRoutes) {
    router.Add(http::verb::get, "/health", Dummy);
    EXPECT_NE(router.Match(http::verb::head, "/health", ctx), nullptr);
}

TEST_F(RouterTest, CapturesParameters) {
    router.Add(http::verb::get, "/file/uploads/:batchId", Dummy);
    ASSERT_NE(router.Match(http::verb::get, "/file/uploads/AbC-1", ctx), nullptr);
    EXPECT_EQ(ctx.params.at("batchId"), "AbC-1");
    EXPECT_EQ(router.Match(http::verb::get, "/file/uploads/", ctx), nullptr);
}

TEST_F(RouterTest, ListsItsRoutesAsAdded) {
    router.AddPrefix(http::verb::get, "/", Dummy);
    router.Add(http::verb::get, "/", Dummy);
    router.Add(http::verb::get, "/File/Uploads/:batchId/", Dummy);
    router.Add(http::verb::delete_, "/album", Dummy);
    router.AddPrefix(http::verb::get, "/Files/", Dummy);
    router.AddWebSocket("/:process/:room", WebSocketHandler{});
    std::vector<std::string> listed;
    for (const Router::RouteInfo& r : router.Routes()) {
        listed.push_back(
            std::string(http::to_string(r.method)) + " " + r.pattern + (r.prefix ? " *" : ""));
    }
    EXPECT_EQ(
        listed,
        (std::vector<std::string>{
            "GET /", "GET /file/uploads/:batchId", "DELETE /album", "GET /files/ *", "GET / *"}));
}

TEST(Query, ParsesRepeatsArraysAndEscapes) {
    Query q = Query::Parse("a=1&a=2&b=x+y%21&c[]=1&c[1]=2&c=3&empty=&flag");
    EXPECT_EQ(q.Get("a"), std::nullopt);
    EXPECT_EQ(q.Count("a"), 2u);
    EXPECT_EQ(q.Get("b"), "x y!");
    EXPECT_EQ(q.Values("c"), (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(q.Get("empty"), "");
    EXPECT_EQ(q.Get("flag"), "");
    EXPECT_EQ(q.Get("missing"), std::nullopt);
}

TEST(StatusMapping, FollowsTheStyleTable) {
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kInvalidArgument), http::status::bad_request);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kUnauthenticated), http::status::unauthorized);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kPermissionDenied), http::status::forbidden);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kAlreadyExists), http::status::conflict);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kResourceExhausted), http::status::too_many_requests);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kUnavailable), http::status::service_unavailable);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kDeadlineExceeded), http::status::gateway_timeout);
    EXPECT_EQ(ToHttpStatus(absl::StatusCode::kInternal), http::status::internal_server_error);
}

}  // namespace
}  // namespace hatongsu::net

namespace hatongsu::net {
namespace {

TEST_F(RouterTest, PrefixRoutesMatchTheRawPathAfterExactRoutes) {
    router.Add(http::verb::get, "/files/special", Dummy);
    router.AddPrefix(http::verb::get, "/files/", Dummy);
    router.AddPrefix(http::verb::get, "/files/thumbs/", Dummy, RouteOptions{.body_limit = 1});
    ctx.raw_path = "/files/a%2Fb/../c";
    const Router::Route* route = router.Match(http::verb::get, "/files/a/b/../c", ctx);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(route->prefix, "/files/");
    EXPECT_EQ(ctx.params.at("*"), "a%2Fb/../c");
    ctx.raw_path = "/FILES/thumbs/x.webp";  // the longest prefix wins, any case
    route = router.Match(http::verb::head, "/FILES/thumbs/x.webp", ctx);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(route->prefix, "/files/thumbs/");
    EXPECT_EQ(ctx.params.at("*"), "x.webp");
    ctx.raw_path = "/files/special";  // an exact route first
    route = router.Match(http::verb::get, "/files/special", ctx);
    ASSERT_NE(route, nullptr);
    EXPECT_TRUE(route->prefix.empty());
    ctx.raw_path = "/files/";
    EXPECT_EQ(router.Match(http::verb::get, "/files/", ctx), nullptr);
    ctx.raw_path = "/files%2Fx";
    EXPECT_EQ(router.Match(http::verb::get, "/files/x", ctx), nullptr);
    ctx.raw_path = "/files/x";
    EXPECT_EQ(router.Match(http::verb::post, "/files/x", ctx), nullptr);
}

}  // namespace
}  // namespace hatongsu::net
