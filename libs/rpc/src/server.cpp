#include "hatongsu/rpc/server.h"

#include <stdexcept>

#include <grpcpp/health_check_service_interface.h>

#include "hatongsu/rpc/service_auth.h"

namespace hatongsu::rpc {
namespace {

std::string Metadata(const grpc::CallbackServerContext* ctx, const char* key) {
    const auto& md = ctx->client_metadata();
    auto it = md.find(key);
    return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

std::unique_ptr<grpc::Server> StartServer(
    const std::string& address,
    const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    int* bound_port) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, std::move(credentials), bound_port);
    for (grpc::Service* service : services) {
        builder.RegisterService(service);
    }
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || (bound_port != nullptr && *bound_port == 0)) {
        throw std::runtime_error("cannot listen for gRPC on " + address);
    }
    return server;
}

std::string RequestIdOf(const grpc::CallbackServerContext* ctx) {
    return Metadata(ctx, "x-request-id");
}

std::string ClientIpOf(const grpc::CallbackServerContext* ctx, const ServiceAuth& auth) {
    std::string ip = auth.Authenticated(*ctx) ? Metadata(ctx, "x-client-ip") : "";
    return ip.empty() ? PeerHost(ctx->peer()) : ip;
}

}  // namespace hatongsu::rpc
