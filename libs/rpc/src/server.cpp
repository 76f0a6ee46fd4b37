#include "hatongsu/rpc/server.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <grpc/grpc.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>

#include "hatongsu/rpc/metrics.h"
#include "hatongsu/rpc/service_auth.h"

namespace hatongsu::rpc {
namespace {

std::string Metadata(const grpc::CallbackServerContext* ctx, const char* key) {
    const auto& md = ctx->client_metadata();
    auto it = md.find(key);
    return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

// Made by gRPC for each call and destroyed with it: its lifetime is the call's. Counts the call in
// `calls` (when given) and times it into `metrics` (when given).
class CallCountingInterceptor final : public grpc::experimental::Interceptor {
public:
    CallCountingInterceptor(ServerCalls* calls, GrpcMetrics* metrics, const char* method)
        : calls_(calls), metrics_(metrics), method_(method != nullptr ? method : "") {
        if (calls_ != nullptr) {
            calls_->in_flight_.fetch_add(1);
        }
    }
    ~CallCountingInterceptor() override {
        if (calls_ != nullptr) {
            calls_->in_flight_.fetch_sub(1);
        }
    }
    CallCountingInterceptor(const CallCountingInterceptor&) = delete;
    CallCountingInterceptor& operator=(const CallCountingInterceptor&) = delete;

    void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
        using grpc::experimental::InterceptionHookPoints;
        if (metrics_ != nullptr &&
            methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
            metrics_->Observe(
                method_, methods->GetSendStatus().error_code(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
        }
        methods->Proceed();
    }

private:
    ServerCalls* calls_;
    GrpcMetrics* metrics_;
    const std::string_view method_;  // gRPC's, alive as long as the call
    const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

namespace {

class CallCountingFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
public:
    CallCountingFactory(ServerCalls* calls, metrics::Registry* registry)
        : calls_(calls),
          metrics_(
              registry != nullptr
                  ? std::make_unique<GrpcMetrics>(*registry, GrpcMetrics::Side::kServer)
                  : nullptr) {}
    grpc::experimental::Interceptor* CreateServerInterceptor(
        grpc::experimental::ServerRpcInfo* info) override {
        // Owned and deleted by gRPC.
        return new CallCountingInterceptor(calls_, metrics_.get(), info->method());
    }

private:
    ServerCalls* calls_;
    std::unique_ptr<GrpcMetrics> metrics_;
};

}  // namespace

std::unique_ptr<grpc::Server> StartServer(
    const std::string& address,
    const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    int* bound_port,
    ServerCalls* calls,
    metrics::Registry* metrics) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, std::move(credentials), bound_port);
    for (grpc::Service* service : services) {
        builder.RegisterService(service);
    }
    if (calls != nullptr || metrics != nullptr) {
        std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
            counting;
        counting.push_back(std::make_unique<CallCountingFactory>(calls, metrics));
        builder.experimental().SetInterceptorCreators(std::move(counting));
    }
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || (bound_port != nullptr && *bound_port == 0)) {
        throw std::runtime_error("cannot listen for gRPC on " + address);
    }
    return server;
}

void ShutdownServer(
    grpc::Server& server,
    const ServerCalls& calls,
    std::chrono::system_clock::time_point deadline) {
    // Shutdown() sends GOAWAY, lets the calls finish (cancelling them at the deadline) and blocks
    // until every connection is gone. Beside it: once no call has been in flight for a short grace
    // (long enough for a call already on the wire to arrive and be counted), the connections are
    // closed from this side, repeatedly, since a first try may come before Shutdown() has begun.
    constexpr auto kIdleGrace = std::chrono::milliseconds(300);
    std::atomic<bool> begun{false};
    std::atomic<bool> done{false};
    std::thread shutdown([&] {
        begun.store(true);
        server.Shutdown(deadline);
        done.store(true);
    });
    auto idle_since = std::chrono::steady_clock::now();
    while (!done.load()) {
        auto now = std::chrono::steady_clock::now();
        if (calls.InFlight() > 0) {
            idle_since = now;
        }
        bool idle = now - idle_since >= kIdleGrace;
        if (begun.load() && (idle || std::chrono::system_clock::now() >= deadline)) {
            grpc_server_cancel_all_calls(server.c_server());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    shutdown.join();
}

std::string RequestIdOf(const grpc::CallbackServerContext* ctx) {
    return Metadata(ctx, "x-request-id");
}

std::string ClientIpOf(const grpc::CallbackServerContext* ctx, const ServiceAuth& auth) {
    std::string ip = auth.Authenticated(*ctx) ? Metadata(ctx, "x-client-ip") : "";
    return ip.empty() ? PeerHost(ctx->peer()) : ip;
}

}  // namespace hatongsu::rpc
