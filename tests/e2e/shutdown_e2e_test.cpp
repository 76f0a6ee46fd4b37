// Graceful shutdown of the real binaries (libs/runtime): SIGTERM finishes what is in flight, does
// not wait on idle keep-alive connections, and cancels a hung gRPC call at the drain deadline, and
// every exit is 0 with no sanitizer report (this suite runs the ASan build).
#include <future>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/testkit/http_client.h"
#include "hatongsu/testkit/process.h"
#include "hatongsu/testkit/raw_http.h"
#include "proto/health.grpc.pb.h"

namespace hatongsu {
namespace {

using boost::beast::http::verb;
using namespace std::chrono_literals;

const char* PgBase() {
    const char* base = std::getenv("HATONGSU_PG_BASE");  // NOLINT(concurrency-mt-unsafe): setup
    if (base == nullptr) {
        throw std::runtime_error("HATONGSU_PG_BASE is not set: run through scripts/test.sh");
    }
    return base;
}

std::string Basic(const std::string& text) {
    return "Basic " + core::Base64Encode(text);
}

class ShutdownE2E : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_name_ = "e2e_shutdown_" + core::AsciiLower(core::RandomUuidV4().substr(0, 8));
        pqxx::connection admin(std::string(PgBase()) + "/postgres");
        pqxx::nontransaction(admin).exec("CREATE DATABASE " + db_name_);
    }
    static void TearDownTestSuite() {
        pqxx::connection admin(std::string(PgBase()) + "/postgres");
        pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
    }

    // A user service whose password hashing is slow enough (several passes of 64 MiB) that a
    // login is still running when the signal comes.
    std::unique_ptr<testkit::ChildProcess> StartUserService(uint16_t port) {
        auto p = std::make_unique<testkit::ChildProcess>(
            HATONGSU_USER_BIN,
            std::map<std::string, std::string>{
                {"USER_GRPC_ADDR", "127.0.0.1:" + std::to_string(port)},
                {"USER_PG_URL", std::string(PgBase()) + "/" + db_name_},
                {"ACCESS_TOKEN_SECRET", "shutdown-access"},
                {"REFRESH_TOKEN_SECRET", "shutdown-refresh"},
                {"USER_ARGON2_OPSLIMIT", "10"},
                {"HATONGSU_ADMIN_EMAIL", "admin@shutdown.test"},
                {"HATONGSU_ADMIN_PASSWORD", "admin-pass-1"},
                {"LOG_FORMAT", "text"}},
            Log("user"));
        EXPECT_TRUE(p->WaitForPort(port)) << p->Log();
        return p;
    }
    std::unique_ptr<testkit::ChildProcess> StartGateway(
        uint16_t port, uint16_t user_port, std::map<std::string, std::string> extra = {}) {
        extra["GATEWAY_HTTP_PORT"] = std::to_string(port);
        extra["USER_GRPC_URL"] = "127.0.0.1:" + std::to_string(user_port);
        extra["LOG_FORMAT"] = "text";
        auto p =
            std::make_unique<testkit::ChildProcess>(HATONGSU_GATEWAY_BIN, extra, Log("gateway"));
        EXPECT_TRUE(p->WaitForPort(port)) << p->Log();
        return p;
    }
    static std::string Log(const std::string& what) {
        return ::testing::TempDir() + "/" + db_name_ + "-" + what + "-" + core::RandomToken(4) +
               ".log";
    }
    static testkit::HttpResult Login(uint16_t port, const std::string& email) {
        return testkit::HttpCall(
            port, verb::post, "/auth/login", {{"Authorization", Basic(email + ":password-1")}});
    }
    static std::string Register(uint16_t port) {
        std::string email = "slow-" + core::AsciiLower(core::RandomToken(4)) + "@example.com";
        auto r = testkit::HttpCall(
            port, verb::post, "/auth/register",
            {{"Authorization", Basic(email + ":password-1")}, {"Content-Type", "application/json"}},
            R"({"nickname":"slow"})");
        EXPECT_EQ(r.status, 201) << r.body;
        return email;
    }

    static inline std::string db_name_;
};

TEST_F(ShutdownE2E, GatewaySigtermDuringASlowLoginFinishesItAndExitsZero) {
    uint16_t user_port = testkit::FreePort();
    auto user = StartUserService(user_port);
    uint16_t port = testkit::FreePort();
    auto gateway = StartGateway(port, user_port);
    std::string email = Register(port);

    auto login = std::async(std::launch::async, [&] { return Login(port, email); });
    std::this_thread::sleep_for(150ms);  // the login is hashing in the user service
    EXPECT_EQ(gateway->Stop(), 0) << gateway->Log();
    auto r = login.get();
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_EQ(user->Stop(), 0) << user->Log();
}

TEST_F(ShutdownE2E, UserServiceSigtermDuringALoginFinishesTheCallAndExitsZero) {
    uint16_t user_port = testkit::FreePort();
    auto user = StartUserService(user_port);
    uint16_t port = testkit::FreePort();
    auto gateway = StartGateway(port, user_port);
    std::string email = Register(port);

    auto login = std::async(std::launch::async, [&] { return Login(port, email); });
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(user->Stop(), 0) << user->Log();
    EXPECT_EQ(login.get().status, 201);
    EXPECT_EQ(gateway->Stop(), 0) << gateway->Log();
}

TEST_F(ShutdownE2E, HundredIdleKeepAliveConnectionsDoNotDelayTheExit) {
    uint16_t port = testkit::FreePort();
    auto gateway = StartGateway(port, testkit::FreePort(), {{"GATEWAY_DRAIN_TIMEOUT_MS", "10000"}});
    std::vector<std::unique_ptr<testkit::RawHttp>> idle;
    for (int i = 0; i < 100; ++i) {
        idle.push_back(std::make_unique<testkit::RawHttp>(port));
        idle.back()->Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_EQ(idle.back()->Read().status, 200);
    }
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(gateway->Stop(), 0) << gateway->Log();
    // The issue's bound; the drain deadline (10 s) is never reached.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    for (auto& c : idle) {
        EXPECT_TRUE(c->ClosedByPeer(100ms));
    }
}

TEST_F(ShutdownE2E, SigtermWhileAGrpcCallHangsCancelsItAtTheDeadlineAndExitsZero) {
    // A "user service" that accepts TCP connections and never says a word.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor blackhole(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    uint16_t port = testkit::FreePort();
    auto gateway = StartGateway(
        port, blackhole.local_endpoint().port(),
        {{"GATEWAY_GRPC_TIMEOUT_MS", "30000"}, {"GATEWAY_DRAIN_TIMEOUT_MS", "300"}});
    auto me = std::async(std::launch::async, [&] {
        return testkit::HttpCall(port, verb::get, "/user/me", {{"Authorization", "Bearer x.y.z"}});
    });
    std::this_thread::sleep_for(300ms);  // the call is waiting on the silent peer
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(gateway->Stop(), 0) << gateway->Log();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // not the 30 s gRPC deadline
    try {
        auto r = me.get();
        EXPECT_NE(r.status, 200);
    } catch (const std::exception&) {
        // the connection may close without an answer: the call was cancelled
    }
    EXPECT_EQ(gateway->Log().find("AddressSanitizer"), std::string::npos) << gateway->Log();
}

// This process stays connected to the user service and, between calls, nothing in it reads that
// connection (a sync client polls only on its 5 s backup timer): the service must not wait for it
// to answer the GOAWAY before exiting.
TEST_F(ShutdownE2E, AnIdleConnectedGrpcClientDoesNotDelayTheUserServicesExit) {
    uint16_t user_port = testkit::FreePort();
    auto user = StartUserService(user_port);
    auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(user_port), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, {}, &resp).ok());

    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(user->Stop(), 0) << user->Log();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);  // the backup poll comes at 5 s
}

}  // namespace
}  // namespace hatongsu
