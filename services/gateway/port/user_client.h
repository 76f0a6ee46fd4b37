// The user service as the gateway sees it (GrpcUserClient implements it over gRPC with a deadline
// per call). Calls are awaited from connection coroutines and never block an I/O thread.
// Errors: the service's own (InvalidArgument, NotFound, AlreadyExists, Unauthenticated,
// ResourceExhausted...), Unavailable USER_SERVICE_UNAVAILABLE, DeadlineExceeded
// USER_SERVICE_TIMEOUT.
#pragma once

#include <string>

#include <absl/status/statusor.h>
#include <boost/asio/awaitable.hpp>

#include "services/gateway/domain/account.h"

namespace hatongsu::gateway {

// Per-request values forwarded as gRPC metadata.
struct CallMeta {
    std::string request_id;
    std::string client_ip;
};

class UserClient {
public:
    virtual ~UserClient() = default;
    virtual boost::asio::awaitable<absl::Status> Register(
        CallMeta meta, std::string authorization, std::string nickname) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<Tokens>> Login(
        CallMeta meta, std::string authorization) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<Tokens>> LoginGoogle(
        CallMeta meta,
        std::string id_token,
        std::string email,
        std::string nickname,
        std::string profile) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<Tokens>> Refresh(
        CallMeta meta, std::string refresh_token) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<Principal>> ParseBearer(
        CallMeta meta, std::string authorization) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<Account>> GetAccount(
        CallMeta meta, std::string user_id) = 0;
    virtual boost::asio::awaitable<absl::StatusOr<AccountPage>> ListAccounts(
        CallMeta meta, AccountQuery query) = 0;
    // OK when the service answers its health check as SERVING.
    virtual boost::asio::awaitable<absl::Status> CheckHealth() = 0;
};

}  // namespace hatongsu::gateway
