// The geckos signaling routes over real sockets (libs/net server on loopback) with the fake
// transport: every route, unknown ids, CORS on errors and preflights, the authorization hook,
// /health, and 1,000 connections that never open.
#include <filesystem>
#include <thread>

#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include "hatongsu/net/server.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/test_pki.h"
#include "services/world/adapter/http/world_endpoints.h"
#include "services/world/config.h"
#include "services/world/tests/world_harness.h"

namespace hatongsu::world::http {
namespace {

namespace asio = boost::asio;
using testing_fakes::HarnessOptions;
using testing_fakes::WorldHarness;
using testkit::HttpCall;
using testkit::HttpResult;
using verb = boost::beast::http::verb;
using namespace std::chrono_literals;

constexpr char kOrigin[] = "https://www.example-game.net";
constexpr char kBase[] = "/.wrtc/v2/connections";
constexpr char kUnknown[] = "Zzzzzzzzzzzzzzzzzzzzzzzz";

class EndpointsTest : public ::testing::Test {
protected:
    explicit EndpointsTest(HarnessOptions options = {}, net::ServerOptions server_options = {})
        : h_(options) {
        endpoints_ = std::make_unique<WorldEndpoints>(
            h_.signaling, h_.game, h_.channels, h_.transport, EndpointOptions{});
        endpoints_->Register(router_);
        server_options.port = 0;
        server_options.cors_origins = {kOrigin};
        server_options.trust_forwarded_for = true;
        server_ = std::make_unique<net::Server>(io_, server_options, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~EndpointsTest() override {
        server_->Abort();
        io_.stop();
        thread_.join();
    }

    HttpResult Call(
        verb method,
        const std::string& target,
        std::map<std::string, std::string> headers = {},
        const std::string& body = "") {
        headers.emplace("Origin", kOrigin);
        headers.emplace("Content-Type", "application/json");
        return HttpCall(server_->Port(), method, target, headers, body);
    }
    std::string Connect() {
        HttpResult r = Call(verb::post, kBase);
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(r.Json().at("id").as_string());
    }
    static void ExpectCors(const HttpResult& r) {
        EXPECT_EQ(r.Header("access-control-allow-origin"), kOrigin) << r.status << " " << r.body;
    }

    WorldHarness h_;
    asio::io_context io_;
    net::Router router_;
    std::unique_ptr<WorldEndpoints> endpoints_;
    std::unique_ptr<net::Server> server_;
    std::thread thread_;
};

TEST_F(EndpointsTest, RouteBAnswersTheOfferInGeckosShape) {
    HttpResult r = Call(verb::post, kBase);
    ASSERT_EQ(r.status, 200) << r.body;
    ExpectCors(r);
    EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
    auto body = r.Json().as_object();
    EXPECT_TRUE(body.at("userData").is_object());  // {}: truthy for the client
    EXPECT_TRUE(body.at("userData").as_object().empty());
    std::string id(body.at("id").as_string());
    EXPECT_TRUE(IsConnectionId(id));
    EXPECT_EQ(body.at("localDescription").at("type").as_string(), "offer");
    EXPECT_NE(
        body.at("localDescription").at("sdp").as_string().find("a=fake:" + id), std::string::npos);
    EXPECT_TRUE(h_.transport.Exists(id));
}

TEST_F(EndpointsTest, RouteCHandsTheAnswerToTheTransport) {
    std::string id = Connect();
    HttpResult r = Call(
        verb::post, std::string(kBase) + "/" + id + "/remote-description", {},
        R"({"type":"answer","sdp":"v=0\r\na=fingerprint:sha-256 AB\r\n"})");
    EXPECT_EQ(r.status, 200) << r.body;
    ExpectCors(r);
    EXPECT_EQ(h_.transport.Answer(id), "v=0\r\na=fingerprint:sha-256 AB\r\n");
}

TEST_F(EndpointsTest, RouteCRefusesBadBodiesWithCors) {
    std::string id = Connect();
    const std::string path = std::string(kBase) + "/" + id + "/remote-description";
    for (const std::string& body :
         {std::string("not json"), std::string(R"({"type":"answer"})"),
          std::string(R"({"sdp":"v=0"})"), std::string(R"({"type":"offer","sdp":"v=0"})"),
          std::string(R"({"type":"answer","sdp":"no fingerprint"})"), std::string("[]")}) {
        HttpResult r = Call(verb::post, path, {}, body);
        EXPECT_EQ(r.status, 400) << body << " " << r.body;
        ExpectCors(r);
    }
    HttpResult big = Call(verb::post, path, {}, std::string(64 * 1024, ' '));
    EXPECT_EQ(big.status, 413);
    ExpectCors(big);
}

TEST_F(EndpointsTest, RouteDDrainsTheCandidates) {
    std::string id = Connect();
    const std::string path = std::string(kBase) + "/" + id + "/additional-candidates";
    HttpResult first = Call(verb::get, path);
    ASSERT_EQ(first.status, 200);
    ExpectCors(first);
    EXPECT_EQ(
        first.body,
        R"([{"candidate":"candidate:1 1 udp 2130706431 203.0.113.10 50000 typ host","sdpMid":"0"}])");
    HttpResult second = Call(verb::get, path);
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.body, "[]");
}

TEST_F(EndpointsTest, RouteEClosesAndAnswers200EvenForUnknownIds) {
    std::string id = Connect();
    HttpResult r = Call(verb::post, std::string(kBase) + "/" + id + "/close");
    EXPECT_EQ(r.status, 200);
    ExpectCors(r);
    h_.transport.Deliver();
    EXPECT_FALSE(h_.transport.Exists(id));
    EXPECT_EQ(Call(verb::post, std::string(kBase) + "/" + id + "/close").status, 200);
    EXPECT_EQ(Call(verb::post, std::string(kBase) + "/" + kUnknown + "/close").status, 200);
    EXPECT_EQ(Call(verb::post, std::string(kBase) + "/bad!id/close").status, 200);
}

TEST_F(EndpointsTest, UnknownIdsAre404JsonWithCorsOnEveryRoute) {
    for (const std::string& id :
         {std::string(kUnknown), std::string("short"), std::string(30, 'a')}) {
        HttpResult c = Call(
            verb::post, std::string(kBase) + "/" + id + "/remote-description", {},
            R"({"type":"answer","sdp":"a=fingerprint:"})");
        EXPECT_EQ(c.status, 404) << id;
        ExpectCors(c);
        EXPECT_TRUE(c.Json().as_object().contains("message")) << c.body;
        HttpResult d = Call(verb::get, std::string(kBase) + "/" + id + "/additional-candidates");
        EXPECT_EQ(d.status, 404) << id;
        ExpectCors(d);
        EXPECT_TRUE(d.Json().as_object().contains("message")) << d.body;
    }
    HttpResult other = Call(verb::get, "/.wrtc/v2/elsewhere");
    EXPECT_EQ(other.status, 404);
    ExpectCors(other);
}

TEST_F(EndpointsTest, PreflightsAndPlainOptionsAnswerWithCors) {
    for (const std::string& path :
         {std::string(kBase), std::string(kBase) + "/" + kUnknown + "/remote-description",
          std::string(kBase) + "/" + kUnknown + "/additional-candidates",
          std::string(kBase) + "/" + kUnknown + "/close"}) {
        HttpResult pre = Call(
            verb::options, path,
            {{"Access-Control-Request-Method", "POST"},
             {"Access-Control-Request-Headers", "authorization,content-type"}});
        EXPECT_LT(pre.status, 300) << path;
        ExpectCors(pre);
        EXPECT_NE(pre.Header("access-control-allow-methods").find("POST"), std::string::npos);
        EXPECT_NE(pre.Header("access-control-allow-methods").find("GET"), std::string::npos);
        EXPECT_EQ(pre.Header("access-control-allow-headers"), "authorization,content-type");
        HttpResult plain = Call(verb::options, path);
        EXPECT_EQ(plain.status, 200) << path;
        ExpectCors(plain);
    }
}

TEST_F(EndpointsTest, HealthCountsPlayers) {
    h_.Join();
    h_.Join();
    Connect();
    HttpResult r = Call(verb::get, "/health");
    ASSERT_EQ(r.status, 200);
    auto body = r.Json().as_object();
    EXPECT_EQ(body.at("status").as_string(), "ok");
    EXPECT_EQ(body.at("players").as_int64(), 2);
    EXPECT_EQ(body.at("peers").as_int64(), 3);
    EXPECT_EQ(body.at("pending").as_int64(), 1);
}

TEST_F(EndpointsTest, AThousandConnectRequestsThatNeverOpenAreBoundedThenReaped) {
    int ok = 0;
    int refused = 0;
    for (int i = 0; i < 1000; ++i) {
        HttpResult r =
            Call(verb::post, kBase, {{"X-Forwarded-For", "203.0.113." + std::to_string(i % 50)}});
        if (r.status == 200) {
            ++ok;
        } else {
            EXPECT_EQ(r.status, 503) << r.body;
            ExpectCors(r);
            ++refused;
        }
    }
    EXPECT_EQ(ok, 200);  // WORLD_MAX_PENDING's default
    EXPECT_EQ(refused, 800);
    EXPECT_EQ(h_.transport.PeerCount(), 200u);
    h_.clock.Advance(30s);
    endpoints_->TickOnce();
    h_.transport.Deliver();
    EXPECT_EQ(h_.signaling.Connections(), 0u);
    EXPECT_EQ(h_.transport.PeerCount(), 0u);
    EXPECT_EQ(Call(verb::post, kBase).status, 200);  // room again
}

TEST_F(EndpointsTest, ABackloggedTransportHoldsPositionsBackAndGetsOnlyTheLatest) {
    const std::string a = h_.Join();
    const std::string b = h_.Join();
    h_.transport.TakeSent(b);
    auto update = [](double x) {
        return R"({"clientPlayerUpdate":{"position":{"x":)" + std::to_string(x) +
               R"(,"y":0,"z":0},"rotation":{"x":0,"y":0,"z":0,"w":1}}})";
    };
    h_.transport.Receive(a, update(1));
    h_.transport.Deliver();
    h_.transport.SetBacklogged(true);
    endpoints_->TickOnce();
    EXPECT_TRUE(h_.transport.Sent(b).empty());  // held back while the transport is behind
    h_.transport.Receive(a, update(2));
    h_.transport.Deliver();
    h_.transport.SetBacklogged(false);
    endpoints_->TickOnce();
    auto got = testing_fakes::DecodeAll(h_.transport.TakeSent(b));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].event, "serverPlayerUpdate");
    EXPECT_EQ(got[0].data.at("transform").at("position").at("x").to_number<double>(), 2.0);
}

class SmallPerAddressCapTest : public EndpointsTest {
protected:
    SmallPerAddressCapTest()
        : EndpointsTest({.signaling = {.limits = {.max_per_address = 3}, .capacity = 100}}) {}
};

TEST_F(SmallPerAddressCapTest, OneAddressCannotTakeTheWholeWorld) {
    const std::string host = "203.0.113.7";
    h_.Join(host);
    h_.Join(host);
    EXPECT_EQ(Call(verb::post, kBase, {{"X-Forwarded-For", host}}).status, 200);  // pending
    HttpResult r = Call(verb::post, kBase, {{"X-Forwarded-For", host}});
    EXPECT_EQ(r.status, 429) << r.body;
    ExpectCors(r);
    // Another client is not affected.
    EXPECT_EQ(Call(verb::post, kBase, {{"X-Forwarded-For", "203.0.113.8"}}).status, 200);
}

class AuthEndpointsTest : public EndpointsTest {
protected:
    AuthEndpointsTest() : EndpointsTest({.signaling = {.require_auth = true}}) {
        h_.verifier.Allow("good", "user-1");
    }
};

TEST_F(AuthEndpointsTest, TheHookRefusesWith401AndCorsAndAcceptsGoodTokens) {
    HttpResult none = Call(verb::post, kBase);
    EXPECT_EQ(none.status, 401);
    ExpectCors(none);
    HttpResult bad = Call(verb::post, kBase, {{"Authorization", "bad"}});
    EXPECT_EQ(bad.status, 401);
    ExpectCors(bad);
    EXPECT_EQ(h_.transport.Created(), 0u);
    HttpResult good = Call(verb::post, kBase, {{"Authorization", "good"}});
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(good.Json().at("userData").at("userId").as_string(), "user-1");
}

// WORLD_TLS_CERT_FILE / WORLD_TLS_KEY_FILE: the signaling routes over HTTPS (a page served over
// HTTPS may not call plain HTTP).
std::string TlsDir() {
    std::string dir = ::testing::TempDir() + "/world-tls-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    return dir;
}

net::ServerOptions TlsOptions(const testkit::TestPki& pki) {
    config::Env env(
        {{"WORLD_TLS_CERT_FILE", pki.server_cert}, {"WORLD_TLS_KEY_FILE", pki.server_key}});
    return HttpServerOptions(*LoadConfig(env));
}

// Written before the server (a base initialised first) reads it.
struct TestPkiFiles {
    TestPkiFiles() : dir_(TlsDir()), pki_(testkit::WriteTestPki(dir_)) {}
    ~TestPkiFiles() { std::filesystem::remove_all(dir_); }
    std::string dir_;
    testkit::TestPki pki_;
};

class TlsEndpointsTest : protected TestPkiFiles, public EndpointsTest {
protected:
    TlsEndpointsTest() : EndpointsTest({}, TlsOptions(pki_)) {}
};

TEST_F(TlsEndpointsTest, RouteBOverHttps) {
    namespace ssl = boost::asio::ssl;
    namespace bhttp = boost::beast::http;
    boost::asio::io_context io;
    ssl::context client_ctx(ssl::context::tls_client);
    client_ctx.load_verify_file(pki_.ca_cert);
    client_ctx.set_verify_mode(ssl::verify_peer);
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream(io, client_ctx);
    stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), server_->Port()});
    stream.handshake(ssl::stream_base::client);
    bhttp::request<bhttp::string_body> req{verb::post, kBase, 11};
    req.set(bhttp::field::host, "localhost");
    req.set(bhttp::field::origin, kOrigin);
    req.set(bhttp::field::content_type, "application/json");
    req.prepare_payload();
    bhttp::write(stream, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    HttpResult r = testkit::ToHttpResult(res);
    EXPECT_EQ(r.status, 200) << r.body;
    ExpectCors(r);
    EXPECT_TRUE(IsConnectionId(std::string(r.Json().at("id").as_string())));
}

}  // namespace
}  // namespace hatongsu::world::http
