// Who may read /metrics, and the admin port a service serves it on.
#include "hatongsu/runtime/admin.h"

#include <future>

#include <gtest/gtest.h>

#include "hatongsu/config/env.h"
#include "hatongsu/metrics/metrics.h"
#include "hatongsu/net/server.h"
#include "hatongsu/runtime/runtime.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/metrics.h"

namespace hatongsu::runtime {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;

TEST(AdminConfigTest, ReadsThePrefixedSettings) {
    config::Env defaults(std::map<std::string, std::string>{});
    AdminConfig d = LoadAdminConfig(defaults, "USER_", 9101);
    EXPECT_TRUE(d.metrics);
    EXPECT_EQ(d.address, "127.0.0.1");
    EXPECT_EQ(d.port, 9101);

    config::Env set(std::map<std::string, std::string>{
        {"USER_METRICS", "0"}, {"USER_ADMIN_ADDR", "0.0.0.0"}, {"USER_ADMIN_PORT", "0"}});
    AdminConfig c = LoadAdminConfig(set, "USER_", 9101);
    EXPECT_FALSE(c.metrics);
    EXPECT_EQ(c.address, "0.0.0.0");
    EXPECT_EQ(c.port, 0);
    EXPECT_TRUE(set.Finish("USER_", {}).ok());

    config::Env bad(std::map<std::string, std::string>{{"USER_ADMIN_PORT", "70000"}});
    LoadAdminConfig(bad, "USER_", 9101);
    EXPECT_FALSE(bad.Finish("USER_", {}).ok());
}

// A server with only the /metrics route, run on its own thread.
class MetricsRouteTest : public ::testing::Test {
protected:
    void Start(std::string token) {
        registry_.Counter("test_marks_total", "Marks.").Add({}).Increment(4);
        AddMetricsRoute(router_, registry_, std::move(token));
        server_ = std::make_unique<net::Server>(io_, net::ServerOptions{}, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        if (server_) {
            server_->Shutdown();
            server_->Abort();
        }
        io_.stop();
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    testkit::HttpResult Get(const std::map<std::string, std::string>& headers = {}) {
        return testkit::HttpCall(server_->Port(), verb::get, "/metrics", headers);
    }

    metrics::Registry registry_;
    net::Router router_;
    boost::asio::io_context io_;
    std::unique_ptr<net::Server> server_;
    std::thread thread_;
};

TEST_F(MetricsRouteTest, WithoutATokenAnswersEveryone) {
    Start("");
    auto r = Get({{"X-Forwarded-For", "8.8.8.8"}});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), metrics::kContentType);
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    EXPECT_EQ(testkit::Sample(r.body, "test_marks_total"), 4);
    EXPECT_GT(testkit::Sample(r.body, "process_resident_memory_bytes"), 0);
}

TEST_F(MetricsRouteTest, WithATokenAnswersOnlyItsBearer) {
    Start("scrape-secret");
    auto refused = Get();
    EXPECT_EQ(refused.status, 404);
    EXPECT_EQ(refused.body.find("test_marks_total"), std::string::npos);
    EXPECT_EQ(Get({{"Authorization", "Bearer wrong"}}).status, 404);
    EXPECT_EQ(Get({{"Authorization", "Bearer scrape-secre"}}).status, 404);
    EXPECT_EQ(Get({{"Authorization", "Bearer scrape-secretX"}}).status, 404);
    EXPECT_EQ(Get({{"Authorization", "Basic scrape-secret"}}).status, 404);
    EXPECT_EQ(Get({{"Authorization", "Bearer "}}).status, 404);
    EXPECT_EQ(Get({{"Authorization", "Bearer scrape-secret"}}).status, 200);
    EXPECT_EQ(Get({{"Authorization", "bearer scrape-secret"}}).status, 200);
}

TEST(AdminServerTest, ServesMetricsAndLivenessAndStopsWithTheRuntime) {
    metrics::Registry registry;
    registry.Gauge("test_players", "Players.").Add({}).Set(3);
    Runtime rt("test", {.io_threads = 1, .drain_timeout = 5s});
    AdminServer admin(rt, {.metrics = true, .address = "127.0.0.1", .port = 0}, registry);
    auto exit_code = std::async(std::launch::async, [&] { return rt.Run(); });
    auto m =
        testkit::HttpCall(admin.Port(), verb::get, "/metrics", {{"X-Forwarded-For", "8.8.8.8"}});
    ASSERT_EQ(m.status, 200);  // open: the port itself is the boundary
    EXPECT_EQ(testkit::Sample(m.body, "test_players"), 3);
    EXPECT_EQ(testkit::HttpCall(admin.Port(), verb::get, "/livez").status, 200);
    EXPECT_EQ(testkit::HttpCall(admin.Port(), verb::get, "/users").status, 404);
    rt.RequestStop();
    EXPECT_EQ(exit_code.get(), 0);
}

TEST(AdminServerTest, APortInUseIsAStartUpError) {
    metrics::Registry registry;
    Runtime rt("test", {.io_threads = 1, .drain_timeout = 5s});
    AdminServer first(rt, {.metrics = true, .address = "127.0.0.1", .port = 0}, registry);
    EXPECT_ANY_THROW(
        AdminServer(rt, {.metrics = true, .address = "127.0.0.1", .port = first.Port()}, registry));
}

}  // namespace
}  // namespace hatongsu::runtime
