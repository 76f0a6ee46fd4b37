// gRPC between services over TLS and mutual TLS with a private CA, against an in-process server
// that has only the standard health service.
#include "hatongsu/rpc/tls.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "hatongsu/core/random.h"
#include "hatongsu/rpc/server.h"
#include "hatongsu/testkit/test_pki.h"
#include "proto/health.grpc.pb.h"
#include "proto/user.grpc.pb.h"

namespace hatongsu::rpc {
namespace {

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = ::testing::TempDir() + "/rpc-tls-" + core::RandomToken(6);
        std::filesystem::create_directories(dir_);
        pki_ = testkit::WriteTestPki(dir_);
    }
    void TearDown() override {
        if (server_) {
            server_->Shutdown();
        }
        std::filesystem::remove_all(dir_);
    }
    void Serve(const ServerTls& tls) {
        // Any callback service will do (its methods answer UNIMPLEMENTED); the test asks the
        // standard health service that StartServer turns on.
        server_ = StartServer("127.0.0.1:0", {&some_service_}, MakeServerCredentials(tls), &port_);
    }
    // The health check's gRPC code as seen by a client with these credentials.
    grpc::StatusCode Check(const ClientTls& tls) {
        auto channel =
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), MakeChannelCredentials(tls));
        auto stub = grpc::health::v1::Health::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        grpc::health::v1::HealthCheckRequest req;
        grpc::health::v1::HealthCheckResponse resp;
        return stub->Check(&ctx, req, &resp).error_code();
    }

    std::string dir_;
    testkit::TestPki pki_;
    ::user::AuthService::CallbackService some_service_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
};

TEST_F(TlsTest, PlaintextByDefault) {
    Serve({});
    EXPECT_EQ(Check({}), grpc::StatusCode::OK);
}

TEST_F(TlsTest, TlsWithAPrivateCa) {
    Serve({pki_.server_cert, pki_.server_key, ""});
    EXPECT_EQ(Check({pki_.ca_cert, "", ""}), grpc::StatusCode::OK);
    EXPECT_EQ(Check({}), grpc::StatusCode::UNAVAILABLE);  // plaintext client
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutACertificate) {
    Serve({pki_.server_cert, pki_.server_key, pki_.ca_cert});
    EXPECT_EQ(Check({pki_.ca_cert, pki_.client_cert, pki_.client_key}), grpc::StatusCode::OK);
    EXPECT_EQ(Check({pki_.ca_cert, "", ""}), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, AClientTrustsOnlyItsCa) {
    Serve({pki_.server_cert, pki_.server_key, ""});
    std::string other = dir_ + "/other";
    std::filesystem::create_directories(other);
    auto stranger = testkit::WriteTestPki(other);
    EXPECT_EQ(Check({stranger.ca_cert, "", ""}), grpc::StatusCode::UNAVAILABLE);
}

TEST(Tls, UnreadableFilesFailAtStartUp) {
    EXPECT_ANY_THROW(MakeServerCredentials({"/nonexistent.pem", "/nonexistent.key", ""}));
    EXPECT_ANY_THROW(MakeChannelCredentials({"/nonexistent-ca.pem", "", ""}));
}

}  // namespace
}  // namespace hatongsu::rpc
