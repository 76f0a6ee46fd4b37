// gRPC calls for Prometheus, on both sides: hatongsu_grpc_{server,client}_handled_total
// {method, code} and hatongsu_grpc_{server,client}_handling_seconds{method}. `method` is the full
// name ("/user.UserService/GetUserInfo"); a call to a method the server does not have is counted
// as "(unknown)" by the server (any call it answers UNIMPLEMENTED), so a caller cannot add label
// values. Servers count through StartServer's
// `metrics` argument; clients through CallOptions::metrics of each call (async_call.h).
#pragma once

#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "hatongsu/metrics/metrics.h"

namespace hatongsu::rpc {

class GrpcMetrics final {
public:
    enum class Side { kServer, kClient };
    GrpcMetrics(metrics::Registry& registry, Side side);

    void Observe(std::string_view method, grpc::StatusCode code, double seconds);

private:
    const Side side_;
    metrics::Children<prometheus::Counter> handled_;
    metrics::Children<prometheus::Histogram> latency_;
};

// "OK", "UNAVAILABLE", ... (the canonical names); "UNKNOWN" for a number outside the enum.
std::string_view StatusCodeName(grpc::StatusCode code);

}  // namespace hatongsu::rpc
