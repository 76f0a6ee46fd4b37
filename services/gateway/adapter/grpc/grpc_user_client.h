// UserClient over gRPC (proto/user.proto) with a deadline on every call and the service secret
// (HATONGSU_SERVICE_SECRET, may be empty) as x-service-token metadata; transport failures
// become Unavailable USER_SERVICE_UNAVAILABLE / DeadlineExceeded USER_SERVICE_TIMEOUT. Thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "hatongsu/rpc/call_tracker.h"
#include "hatongsu/rpc/metrics.h"
#include "proto/health.grpc.pb.h"
#include "proto/user.grpc.pb.h"
#include "services/gateway/port/user_client.h"

namespace hatongsu::metrics {
class Registry;
}

namespace hatongsu::gateway::grpc_adapter {

class GrpcUserClient final : public UserClient {
public:
    // With `metrics`, every call is counted and timed there (rpc/metrics.h); it must outlive this.
    GrpcUserClient(
        const std::string& address,
        std::shared_ptr<grpc::ChannelCredentials> credentials,
        std::chrono::milliseconds timeout,
        std::string service_secret,
        metrics::Registry* metrics = nullptr);

    boost::asio::awaitable<absl::Status> Register(
        CallMeta meta, std::string authorization, std::string nickname) override;
    boost::asio::awaitable<absl::StatusOr<Tokens>> Login(
        CallMeta meta, std::string authorization) override;
    boost::asio::awaitable<absl::StatusOr<Tokens>> LoginGoogle(
        CallMeta meta,
        std::string id_token,
        std::string email,
        std::string nickname,
        std::string profile) override;
    boost::asio::awaitable<absl::StatusOr<Tokens>> Refresh(
        CallMeta meta, std::string refresh_token) override;
    boost::asio::awaitable<absl::StatusOr<Principal>> ParseBearer(
        CallMeta meta, std::string authorization) override;
    boost::asio::awaitable<absl::StatusOr<Account>> GetAccount(
        CallMeta meta, std::string user_id) override;
    boost::asio::awaitable<absl::StatusOr<AccountPage>> ListAccounts(
        CallMeta meta, AccountQuery query) override;
    boost::asio::awaitable<absl::Status> CheckHealth() override;

    // The calls in flight, for the drain at shutdown.
    rpc::CallTracker& Calls() { return calls_; }

private:
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<::user::AuthService::Stub> auth_;
    std::unique_ptr<::user::UserService::Stub> users_;
    std::unique_ptr<::grpc::health::v1::Health::Stub> health_;
    const std::chrono::milliseconds timeout_;
    rpc::CallTracker calls_;
    const std::string service_secret_;           // sent with every call
    std::unique_ptr<rpc::GrpcMetrics> metrics_;  // empty: calls are not counted
};

}  // namespace hatongsu::gateway::grpc_adapter
