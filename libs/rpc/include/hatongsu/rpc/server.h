// gRPC server glue: start a server with the standard health service on, run a unary call's work
// on a thread pool (a reaction must never block), and shut down with a deadline.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "hatongsu/rpc/status.h"

namespace hatongsu::rpc {

// Binds `address` ("host:port"; port 0 picks a free one, read back from *bound_port) with
// `credentials` (see tls.h) and starts, with the standard health service on.
// Throws std::runtime_error when the address cannot be bound (a start-up error).
std::unique_ptr<grpc::Server> StartServer(
    const std::string& address,
    const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    int* bound_port);

// The x-request-id metadata of a call, or "".
std::string RequestIdOf(const grpc::CallbackServerContext* ctx);
class ServiceAuth;  // service_auth.h
// The x-client-ip metadata (the gateway's view of the caller's address) when the caller is
// authenticated by `auth`; otherwise, or without it, the peer's address (without the port).
std::string ClientIpOf(const grpc::CallbackServerContext* ctx, const ServiceAuth& auth);

// Runs `work` (returning absl::Status) on `pool` and finishes the call's default reactor with its
// result. A call whose deadline already passed or that was cancelled is not started. Anything
// thrown is logged and becomes INTERNAL: an exception must never escape a pool thread.
template <typename Work>
grpc::ServerUnaryReactor* RunOnPool(
    boost::asio::thread_pool& pool, grpc::CallbackServerContext* ctx, Work work) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    boost::asio::post(pool, [ctx, reactor, work = std::move(work)]() mutable {
        if (ctx->IsCancelled() || ctx->deadline() < std::chrono::system_clock::now()) {
            reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded"));
            return;
        }
        absl::Status status;
        try {
            status = work();
        } catch (const std::exception& e) {
            status = absl::InternalError(std::string("unexpected exception: ") + e.what());
        }
        reactor->Finish(ToGrpcStatus(status));
    });
    return reactor;
}

}  // namespace hatongsu::rpc
