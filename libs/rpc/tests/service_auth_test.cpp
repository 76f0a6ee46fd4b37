// Service-to-service authentication against an in-process server whose one handler answers with
// the client address it would use (rpc::ClientIpOf) after the standard check.
#include "hatongsu/rpc/service_auth.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "hatongsu/core/random.h"
#include "hatongsu/rpc/server.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/testkit/test_pki.h"
#include "proto/health.grpc.pb.h"
#include "proto/user.grpc.pb.h"

namespace hatongsu::rpc {
namespace {

constexpr const char* kSecret = "a-service-secret-of-32-characters";

class EchoClientIp final : public ::user::UserService::CallbackService {
public:
    explicit EchoClientIp(const ServiceAuth& auth) : auth_(auth) {}
    grpc::ServerUnaryReactor* GetUserInfo(
        grpc::CallbackServerContext* ctx,
        const ::user::GetUserInfoRequest*,
        ::user::GetUserInfoResponse* resp) override {
        if (auto* refused = RefuseUnauthenticated(auth_, ctx)) {
            return refused;
        }
        resp->mutable_user()->set_nickname(ClientIpOf(ctx, auth_));
        auto* reactor = ctx->DefaultReactor();
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }

private:
    const ServiceAuth& auth_;
};

struct Reply {
    grpc::StatusCode code;
    std::string client_ip;
};

class ServiceAuthTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (server_) {
            server_->Shutdown();
        }
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_);
        }
    }
    void Serve(std::string_view secret, const ServerTls& tls = {}) {
        auth_ = std::make_unique<ServiceAuth>(secret, !tls.client_ca_file.empty());
        service_ = std::make_unique<EchoClientIp>(*auth_);
        server_ = StartServer("127.0.0.1:0", {service_.get()}, MakeServerCredentials(tls), &port_);
    }
    std::shared_ptr<grpc::Channel> Channel(const ClientTls& tls = {}) {
        return grpc::CreateChannel(
            "127.0.0.1:" + std::to_string(port_), MakeChannelCredentials(tls));
    }
    Reply Call(const std::map<std::string, std::string>& metadata, const ClientTls& tls = {}) {
        auto stub = ::user::UserService::NewStub(Channel(tls));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        for (const auto& [k, v] : metadata) {
            ctx.AddMetadata(k, v);
        }
        ::user::GetUserInfoRequest req;
        ::user::GetUserInfoResponse resp;
        grpc::Status s = stub->GetUserInfo(&ctx, req, &resp);
        return {s.error_code(), resp.user().nickname()};
    }
    grpc::StatusCode Health() {
        auto stub = grpc::health::v1::Health::NewStub(Channel());
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        grpc::health::v1::HealthCheckRequest req;
        grpc::health::v1::HealthCheckResponse resp;
        return stub->Check(&ctx, req, &resp).error_code();
    }

    std::string dir_;
    std::unique_ptr<ServiceAuth> auth_;
    std::unique_ptr<EchoClientIp> service_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
};

TEST_F(ServiceAuthTest, WithASecretOnlyCallersThatSendItGetThrough) {
    Serve(kSecret);
    EXPECT_EQ(Call({}).code, grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(
        Call({{kServiceTokenKey, "a-service-secret-of-32-characterZ"}}).code,
        grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Call({{kServiceTokenKey, "a"}}).code, grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Call({{kServiceTokenKey, kSecret}}).code, grpc::StatusCode::OK);
}

TEST_F(ServiceAuthTest, TheHealthServiceStaysOpenForProbes) {
    Serve(kSecret);
    EXPECT_EQ(Health(), grpc::StatusCode::OK);
}

TEST_F(ServiceAuthTest, TheClientAddressIsTakenFromAnAuthenticatedCallerOnly) {
    Serve(kSecret);
    Reply trusted = Call({{kServiceTokenKey, kSecret}, {"x-client-ip", "203.0.113.9"}});
    EXPECT_EQ(trusted.code, grpc::StatusCode::OK);
    EXPECT_EQ(trusted.client_ip, "203.0.113.9");
}

TEST_F(ServiceAuthTest, AnOpenServerAnswersEveryoneButIgnoresTheirClientAddress) {
    Serve("");
    Reply open = Call({{"x-client-ip", "203.0.113.9"}});
    EXPECT_EQ(open.code, grpc::StatusCode::OK);
    EXPECT_EQ(open.client_ip, "127.0.0.1");  // the peer, without its port
}

TEST_F(ServiceAuthTest, AMutualTlsPeerIsAuthenticatedWithoutASecret) {
    dir_ = ::testing::TempDir() + "/rpc-auth-" + core::RandomToken(6);
    std::filesystem::create_directories(dir_);
    testkit::TestPki pki = testkit::WriteTestPki(dir_);
    Serve("", {pki.server_cert, pki.server_key, pki.ca_cert});
    Reply reply =
        Call({{"x-client-ip", "203.0.113.9"}}, {pki.ca_cert, pki.client_cert, pki.client_key});
    EXPECT_EQ(reply.code, grpc::StatusCode::OK);
    EXPECT_EQ(reply.client_ip, "203.0.113.9");
}

TEST(ListenSecurity, LoopbackMayStayOpenAnythingElseNeedsASecretOrMutualTls) {
    for (const char* local :
         {"127.0.0.1:4001", "127.1.2.3:4001", "localhost:4001", "[::1]:4001", "unix:/tmp/s"}) {
        EXPECT_TRUE(IsLoopbackAddress(local)) << local;
        EXPECT_TRUE(CheckListenSecurity(local, "", false, "S").ok()) << local;
    }
    for (const char* remote :
         {"0.0.0.0:4001", "[::]:4001", "10.0.0.5:4001", ":4001", "user.internal:4001",
          "128.0.0.1:4001"}) {
        EXPECT_FALSE(IsLoopbackAddress(remote)) << remote;
        absl::Status open = CheckListenSecurity(remote, "", false, "HATONGSU_SERVICE_SECRET");
        EXPECT_EQ(open.code(), absl::StatusCode::kInvalidArgument) << remote;
        EXPECT_NE(open.message().find("HATONGSU_SERVICE_SECRET"), std::string::npos);
        EXPECT_TRUE(CheckListenSecurity(remote, kSecret, false, "S").ok()) << remote;
        EXPECT_TRUE(CheckListenSecurity(remote, "", true, "S").ok()) << remote;
    }
    EXPECT_EQ(
        CheckListenSecurity("127.0.0.1:4001", "short", false, "S").code(),
        absl::StatusCode::kInvalidArgument);
}

TEST(PeerHost, DropsTheSchemeAndThePort) {
    EXPECT_EQ(PeerHost("ipv4:10.0.0.7:51234"), "10.0.0.7");
    EXPECT_EQ(PeerHost("ipv6:[::1]:51234"), "::1");
    EXPECT_EQ(PeerHost("ipv6:%5B2001:db8::1%5D:51234"), "2001:db8::1");
    EXPECT_EQ(PeerHost("unix:/tmp/s"), "unix:/tmp/s");
}

}  // namespace
}  // namespace hatongsu::rpc
