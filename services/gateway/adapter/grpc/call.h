// What the gateway's gRPC clients share: one unary call with deadline, request metadata, the
// service secret and the drain's call tracker, and the edge translation of transport failures
// into stable identifiers (<SERVICE>_SERVICE_UNAVAILABLE / _TIMEOUT).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <absl/status/status.h>

#include "hatongsu/rpc/async_call.h"
#include "services/gateway/port/user_client.h"

namespace hatongsu::gateway::grpc_adapter {

// `service` is the upper-case name used in the identifiers ("USER", "ALBUM"). The service's own
// answers pass through unchanged.
absl::Status Edge(const absl::Status& s, std::string_view service);

// A plain function (not a coroutine) so the call options are a named local: g++ 12 mis-destroys
// class-type temporaries that live inside a co_await expression.
template <typename Reply, typename Request, typename Start>
boost::asio::awaitable<absl::StatusOr<Reply>> Unary(
    std::chrono::milliseconds timeout,
    rpc::CallTracker* tracker,
    const std::string& service_secret,
    rpc::GrpcMetrics* metrics,
    std::string_view method,
    const CallMeta& meta,
    const Request& request,
    Start start) {
    rpc::CallOptions options{timeout,        meta.request_id, meta.client_ip, tracker,
                             service_secret, metrics,         method};
    return rpc::AsyncUnary<Reply>(options, request, std::move(start));
}

}  // namespace hatongsu::gateway::grpc_adapter

// Inside a client class with members timeout_, calls_, service_secret_ and metrics_ (a
// std::unique_ptr<rpc::GrpcMetrics>, empty when not counting); HATONGSU_GRPC_SERVICE_<stub> names
// the stub's service as "/package.Service/", so the method's full name is a literal.
#define HATONGSU_GATEWAY_CALL(stub, method, Reply, meta, request)                                 \
    ::hatongsu::gateway::grpc_adapter::Unary<Reply>(                                              \
        timeout_, &calls_, service_secret_, metrics_.get(), HATONGSU_GRPC_SERVICE_##stub #method, \
        (meta), (request),                                                                        \
        [stub = (stub).get()](auto* ctx, const auto* r, auto* resp, auto done) {                  \
            stub->async()->method(ctx, r, resp, std::move(done));                                 \
        })
