#include "hatongsu/net/server.h"

#include <thread>

#include <gtest/gtest.h>

#include "hatongsu/net/json_body.h"
#include "hatongsu/testkit/http_client.h"

namespace hatongsu::net {
namespace {

using testkit::HttpCall;

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add(
            http::verb::get, "/hello/:name", [](Context& ctx) -> boost::asio::awaitable<Response> {
                co_return Json(ctx, http::status::ok, {{"hello", ctx.params.at("name")}});
            });
        router_.Add(
            http::verb::post, "/echo", [](Context& ctx) -> boost::asio::awaitable<Response> {
                auto body = JsonObjectBody(ctx);
                if (!body.ok()) {
                    co_return ErrorFromStatus(ctx, body.status());
                }
                co_return Json(ctx, http::status::created, *body);
            });
        router_.Add(http::verb::get, "/boom", [](Context&) -> boost::asio::awaitable<Response> {
            throw std::runtime_error("bug");
        });
        ServerOptions options;
        options.body_limit = 1024;
        options.cors_origins = {"https://app.example", "https://example"};
        server_ = std::make_unique<Server>(io_, options, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        server_->Stop();
        io_.stop();
        thread_.join();
    }
    uint16_t Port() const { return server_->Port(); }

    boost::asio::io_context io_;
    Router router_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

TEST_F(ServerTest, RoutesWithParamsAndSendsCorsAndRequestId) {
    auto r = HttpCall(Port(), http::verb::get, "/hello/World", {{"X-Request-Id", "abc-1"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Json().at("hello").as_string(), "World");
    EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r.Header("access-control-allow-origin"), "https://app.example");
    EXPECT_EQ(r.Header("access-control-allow-credentials"), "true");
    EXPECT_EQ(r.Header("x-request-id"), "abc-1");
}

TEST_F(ServerTest, EchoesAListedOrigin) {
    auto r = HttpCall(Port(), http::verb::get, "/hello/x", {{"Origin", "https://example"}});
    EXPECT_EQ(r.Header("access-control-allow-origin"), "https://example");
    auto other = HttpCall(Port(), http::verb::get, "/hello/x", {{"Origin", "https://evil"}});
    EXPECT_EQ(other.Header("access-control-allow-origin"), "https://app.example");
}

TEST_F(ServerTest, UnknownRouteIs404WithTheJsonErrorBody) {
    auto r = HttpCall(Port(), http::verb::get, "/nope?x=1");
    EXPECT_EQ(r.status, 404);
    auto body = r.Json().as_object();
    EXPECT_EQ(body.at("message").as_string(), "Cannot GET /nope?x=1");
    EXPECT_EQ(body.at("error").as_string(), "Not Found");
    EXPECT_EQ(body.at("statusCode").as_int64(), 404);
    EXPECT_TRUE(body.contains("requestId"));
}

TEST_F(ServerTest, PreflightIsAnsweredBeforeRouting) {
    auto r = HttpCall(
        Port(), http::verb::options, "/anything",
        {{"Origin", "https://app.example"},
         {"Access-Control-Request-Method", "POST"},
         {"Access-Control-Request-Headers", "authorization,content-type"}});
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(r.Header("access-control-allow-methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
    EXPECT_EQ(r.Header("access-control-allow-headers"), "authorization,content-type");
    EXPECT_EQ(r.body, "");
}

TEST_F(ServerTest, OversizedBodyIs413AndMalformedJsonIs400) {
    auto big = HttpCall(
        Port(), http::verb::post, "/echo", {{"Content-Type", "application/json"}},
        std::string(2000, ' '));
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.Json().at("message").as_string(), "request entity too large");
    auto bad = HttpCall(Port(), http::verb::post, "/echo", {}, "{\"a\":");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.Json().at("statusCode").as_int64(), 400);
    auto arr = HttpCall(Port(), http::verb::post, "/echo", {}, "[1]");
    EXPECT_EQ(arr.status, 400);
    auto ok = HttpCall(Port(), http::verb::post, "/echo", {}, "{\"a\":\"é\"}");
    EXPECT_EQ(ok.status, 201);
    EXPECT_EQ(ok.Json().at("a").as_string(), "é");
}

TEST_F(ServerTest, AThrowingHandlerIs500AndTheServerLivesOn) {
    EXPECT_EQ(HttpCall(Port(), http::verb::get, "/boom").status, 500);
    EXPECT_EQ(HttpCall(Port(), http::verb::get, "/hello/again").status, 200);
}

TEST_F(ServerTest, HeadHasNoBodyButTheLength) {
    auto r = HttpCall(Port(), http::verb::head, "/hello/x");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.Header("content-length"), "13");
}

}  // namespace
}  // namespace hatongsu::net
