#include "hatongsu/rpc/metrics.h"

#include <iterator>

namespace hatongsu::rpc {

std::string_view StatusCodeName(grpc::StatusCode code) {
    static constexpr std::string_view kNames[] = {"OK",
                                                  "CANCELLED",
                                                  "UNKNOWN",
                                                  "INVALID_ARGUMENT",
                                                  "DEADLINE_EXCEEDED",
                                                  "NOT_FOUND",
                                                  "ALREADY_EXISTS",
                                                  "PERMISSION_DENIED",
                                                  "RESOURCE_EXHAUSTED",
                                                  "FAILED_PRECONDITION",
                                                  "ABORTED",
                                                  "OUT_OF_RANGE",
                                                  "UNIMPLEMENTED",
                                                  "INTERNAL",
                                                  "UNAVAILABLE",
                                                  "DATA_LOSS",
                                                  "UNAUTHENTICATED"};
    auto i = static_cast<int>(code);
    if (i < 0 || i >= static_cast<int>(std::size(kNames))) {
        return "UNKNOWN";
    }
    return kNames[i];
}

GrpcMetrics::GrpcMetrics(metrics::Registry& registry, Side side)
    : side_(side),
      handled_(registry.Counter(
          side == Side::kServer ? "hatongsu_grpc_server_handled_total"
                                : "hatongsu_grpc_client_handled_total",
          side == Side::kServer ? "gRPC calls answered, by method and status code."
                                : "gRPC calls made, by method and status code.")),
      latency_(registry.Histogram(
          side == Side::kServer ? "hatongsu_grpc_server_handling_seconds"
                                : "hatongsu_grpc_client_handling_seconds",
          side == Side::kServer ? "Time from a call's arrival to its status, by method."
                                : "Time from a call's start to its status, by method.")) {}

void GrpcMetrics::Observe(std::string_view method, grpc::StatusCode code, double seconds) {
    if (side_ == Side::kServer && code == grpc::StatusCode::UNIMPLEMENTED) {
        method = "(unknown)";  // a name the caller chose; the label's values stay ours
    }
    std::string_view name = StatusCodeName(code);
    thread_local std::string key;
    key.assign(method).append(1, ' ').append(name);
    handled_
        .Get(
            key,
            [&] {
                return prometheus::Labels{
                    {"method", std::string(method)}, {"code", std::string(name)}};
            })
        .Increment();
    latency_
        .Get(
            method,
            [&] {
                return prometheus::Labels{{"method", std::string(method)}};
            },
            metrics::LatencyBuckets())
        .Observe(seconds);
}

}  // namespace hatongsu::rpc
