#include "hatongsu/rpc/metrics.h"

#include <chrono>

#include <grpcpp/create_channel.h>
#include <grpcpp/support/client_interceptor.h>

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
    : handled_(registry.Counter(
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
    if (code == grpc::StatusCode::UNIMPLEMENTED) {
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

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Made by gRPC for each client call and destroyed with it.
class ClientTiming final : public grpc::experimental::Interceptor {
public:
    ClientTiming(GrpcMetrics& metrics, const char* method)
        : metrics_(metrics), method_(method != nullptr ? method : "") {}  // a static name

    void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
        using grpc::experimental::InterceptionHookPoints;
        if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
            const grpc::Status* status = methods->GetRecvStatus();
            metrics_.Observe(
                method_, status != nullptr ? status->error_code() : grpc::StatusCode::UNKNOWN,
                SecondsSince(start_));
        }
        methods->Proceed();
    }

private:
    GrpcMetrics& metrics_;
    const std::string_view method_;
    const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ClientTimingFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
public:
    explicit ClientTimingFactory(metrics::Registry& registry)
        : metrics_(registry, GrpcMetrics::Side::kClient) {}
    grpc::experimental::Interceptor* CreateClientInterceptor(
        grpc::experimental::ClientRpcInfo* info) override {
        return new ClientTiming(metrics_, info->method());  // owned and deleted by gRPC
    }

private:
    GrpcMetrics metrics_;
};

}  // namespace

std::shared_ptr<grpc::Channel> CreateChannel(
    const std::string& target,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    metrics::Registry* registry) {
    if (registry == nullptr) {
        return grpc::CreateChannel(target, std::move(credentials));
    }
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<ClientTimingFactory>(*registry));
    return grpc::experimental::CreateCustomChannelWithInterceptors(
        target, std::move(credentials), grpc::ChannelArguments(), std::move(creators));
}

}  // namespace hatongsu::rpc
