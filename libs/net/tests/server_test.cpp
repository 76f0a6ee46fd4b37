#include "hatongsu/net/server.h"

#include <cstdio>
#include <filesystem>
#include <thread>

#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include "hatongsu/metrics/metrics.h"
#include "hatongsu/net/json_body.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/metrics.h"
#include "hatongsu/testkit/raw_http.h"
#include "hatongsu/testkit/test_pki.h"

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
        router_.Add(
            http::verb::get, "/public/model",
            [](Context& ctx) -> boost::asio::awaitable<Response> {
                co_return Text(ctx, http::status::ok, "glTF");
            },
            {.public_cors = true});
        ServerOptions options;
        options.body_limit = 1024;
        options.cors_origins = {"https://app.example", "https://example"};
        server_ = std::make_unique<Server>(io_, options, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        server_->Shutdown();
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

TEST_F(ServerTest, APublicRouteIsOpenToEveryOriginWithoutCredentials) {
    for (auto method : {http::verb::get, http::verb::head}) {
        auto r = HttpCall(Port(), method, "/public/model", {{"Origin", "https://other.site"}});
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
        EXPECT_EQ(r.Header("access-control-allow-credentials"), "");
    }
    auto preflight = HttpCall(
        Port(), http::verb::options, "/public/model",
        {{"Origin", "https://other.site"},
         {"Access-Control-Request-Method", "GET"},
         {"Access-Control-Request-Headers", "range"}});
    EXPECT_EQ(preflight.status, 204);
    EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
    EXPECT_EQ(preflight.Header("access-control-allow-methods"), "GET,HEAD");
    EXPECT_EQ(preflight.Header("access-control-allow-headers"), "range");
    EXPECT_EQ(preflight.Header("access-control-allow-credentials"), "");
    // Other methods on the same path, and other routes, keep the listed origins.
    auto post = HttpCall(
        Port(), http::verb::options, "/public/model",
        {{"Origin", "https://other.site"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(post.Header("access-control-allow-origin"), "https://app.example");
    auto other = HttpCall(Port(), http::verb::get, "/hello/x", {{"Origin", "https://other.site"}});
    EXPECT_EQ(other.Header("access-control-allow-origin"), "https://app.example");
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

TEST_F(ServerTest, OversizedHeadersAre431) {
    auto r = HttpCall(
        Port(), http::verb::get, "/hello/x",
        {{"Authorization", "Bearer " + std::string(20000, 'x')}});
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(r.Json().at("statusCode").as_int64(), 431);
}

TEST_F(ServerTest, GarbageIs400) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), Port()});
    boost::asio::write(socket, boost::asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    Response res;
    http::read(socket, buffer, res);
    EXPECT_EQ(res.result_int(), 400);
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

namespace hatongsu::net {
namespace {

// A server with the given options and one route echoing what the server saw of the client.
struct RunningServer {
    explicit RunningServer(ServerOptions options) {
        router.Add(http::verb::get, "/who", [](Context& ctx) -> boost::asio::awaitable<Response> {
            co_return Json(ctx, http::status::ok, {{"ip", ctx.remote_ip}});
        });
        server = std::make_unique<Server>(io, std::move(options), router);
        server->Start();
        thread = std::thread([this] { io.run(); });
    }
    ~RunningServer() {
        io.stop();
        thread.join();
    }
    boost::asio::io_context io;
    Router router;
    std::unique_ptr<Server> server;
    std::thread thread;
};

TEST(ServerOptions, ForwardedForIsUsedOnlyWhenTrusted) {
    std::map<std::string, std::string> xff{{"X-Forwarded-For", "6.6.6.6, 10.0.0.7"}};
    RunningServer plain(ServerOptions{});
    EXPECT_EQ(
        testkit::HttpCall(plain.server->Port(), http::verb::get, "/who", xff)
            .Json()
            .at("ip")
            .as_string(),
        "127.0.0.1");
    ServerOptions trusting;
    trusting.trust_forwarded_for = true;
    RunningServer proxied(trusting);
    EXPECT_EQ(
        testkit::HttpCall(proxied.server->Port(), http::verb::get, "/who", xff)
            .Json()
            .at("ip")
            .as_string(),
        "10.0.0.7");
    EXPECT_EQ(
        testkit::HttpCall(proxied.server->Port(), http::verb::get, "/who")
            .Json()
            .at("ip")
            .as_string(),
        "127.0.0.1");
}

// A client's own X-Forwarded-For line comes first; a proxy that adds a line of its own puts it
// last, and only its last element is the proxy's word.
TEST(ServerOptions, ForwardedForReadsTheLastElementOfTheLastLine) {
    ServerOptions trusting;
    trusting.trust_forwarded_for = true;
    RunningServer proxied(trusting);
    testkit::RawHttp raw(proxied.server->Port());
    ASSERT_TRUE(
        raw.Send("GET /who HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n"
                 "X-Forwarded-For: 7.7.7.7, 10.0.0.9\r\n\r\n"));
    auto res = raw.Read();
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.Json().at("ip").as_string(), "10.0.0.9");
}

TEST(ServerOptions, ServesHttpsWhenGivenACertificateAndKey) {
    ServerOptions options;
    std::string dir = ::testing::TempDir() + "/net-tls-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    auto pki = testkit::WriteTestPki(dir);
    options.cert_file = pki.server_cert;
    options.key_file = pki.server_key;
    RunningServer tls(options);

    boost::asio::io_context io;
    boost::asio::ssl::context client_ctx(boost::asio::ssl::context::tls_client);
    client_ctx.load_verify_file(pki.ca_cert);
    client_ctx.set_verify_mode(boost::asio::ssl::verify_peer);
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream(io, client_ctx);
    stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), tls.server->Port()});
    stream.handshake(boost::asio::ssl::stream_base::client);
    Request req{http::verb::get, "/who", 11};
    req.set(http::field::host, "localhost");
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    Response res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_NE(res.body().find("127.0.0.1"), std::string::npos);

    // Plain HTTP to the TLS port gets no answer, only a closed connection.
    EXPECT_ANY_THROW(testkit::HttpCall(tls.server->Port(), http::verb::get, "/who"));
    std::filesystem::remove_all(dir);
}

// Requests counted by route pattern and status class, never by raw path.
TEST(ServerMetricsTest, CountsRequestsByRoutePatternAndStatusClass) {
    metrics::Registry registry;
    Router router;
    router.Add(http::verb::get, "/album/:id", [](Context& ctx) -> boost::asio::awaitable<Response> {
        co_return Text(ctx, http::status::ok, ctx.params.at("id"));
    });
    router.AddPrefix(
        http::verb::get, "/files/", [](Context& ctx) -> boost::asio::awaitable<Response> {
            co_return Text(ctx, http::status::ok, "file");
        });
    boost::asio::io_context io;
    ServerOptions options;
    options.metrics = &registry;
    options.cors_origins = {"https://app.example"};
    Server server(io, options, router);
    server.Start();
    std::thread thread([&io] { io.run(); });
    for (const char* id : {"1", "2", "3"}) {
        EXPECT_EQ(
            HttpCall(server.Port(), http::verb::get, std::string("/album/") + id).status, 200);
    }
    EXPECT_EQ(HttpCall(server.Port(), http::verb::get, "/files/a/b.jpg").status, 200);
    EXPECT_EQ(HttpCall(server.Port(), http::verb::get, "/secret-path-9").status, 404);
    EXPECT_EQ(
        HttpCall(
            server.Port(), http::verb::options, "/album/1",
            {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}})
            .status,
        204);
    std::string text = registry.Render();
    using testkit::Sample;
    const std::string album = R"x({method="GET",route="/album/:id",status="2xx"})x";
    EXPECT_EQ(Sample(text, "hatongsu_http_requests_total" + album), 3);
    EXPECT_EQ(Sample(text, "hatongsu_http_request_duration_seconds_count" + album), 3);
    EXPECT_EQ(
        Sample(
            text, R"x(hatongsu_http_requests_total{method="GET",route="/files/*",status="2xx"})x"),
        1);
    EXPECT_EQ(
        Sample(text, R"x(hatongsu_http_requests_total{method="GET",route="(none)",status="4xx"})x"),
        1);
    EXPECT_EQ(
        Sample(
            text,
            R"x(hatongsu_http_requests_total{method="OPTIONS",route="(preflight)",status="2xx"})x"),
        1);
    EXPECT_EQ(text.find("secret-path-9"), std::string::npos);
    EXPECT_EQ(text.find("/album/1"), std::string::npos);
    // Each request leaves the gauge once its answer is written, which may be just after the
    // client has read it.
    bool drained = false;
    for (int i = 0; i < 200 && !drained; ++i) {
        drained = Sample(registry.Render(), "hatongsu_http_requests_in_flight") == 0;
        if (!drained) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    EXPECT_TRUE(drained);
    EXPECT_GE(Sample(text, "hatongsu_http_connections"), 0);
    server.Shutdown();
    io.stop();
    thread.join();
}

}  // namespace
}  // namespace hatongsu::net
