// Composition root of the gateway: config -> gRPC client -> sessions -> routes -> HTTP server, run
// by the service runtime (libs/runtime), which owns start-up, signals and the drain.
#include <iostream>
#include <memory>

#include "hatongsu/amqp/publisher.h"
#include "hatongsu/core/clock.h"
#include "hatongsu/log/log.h"
#include "hatongsu/net/server.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/runtime/runtime.h"
#include "hatongsu/storage/disk_object_store.h"
#include "services/gateway/adapter/amqp/amqp_upload_queue.h"
#include "services/gateway/adapter/grpc/grpc_album_client.h"
#include "services/gateway/adapter/grpc/grpc_user_client.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/config.h"

namespace {

using namespace hatongsu;

int Run() {
    config::Env env = config::Env::FromProcess();
    auto cfg = gateway::LoadConfig(env);
    if (!cfg.ok()) {
        std::cerr << "gateway: configuration errors:\n" << cfg.status().message() << "\n";
        return 2;
    }
    // First, before any thread: see runtime.h for the order of start-up and destruction.
    runtime::Runtime rt(
        "gateway", {.io_threads = cfg->threads, .drain_timeout = cfg->drain_timeout});
    log::Init("gateway", cfg->log_level, cfg->log_format);
    log::Info("starting", {{"config", env.Effective()}});  // secrets are shown as ***

    core::SystemClock clock;
    runtime::ServiceMetrics service_metrics(cfg->admin);
    metrics::Registry* counted = service_metrics.Registry();
    gateway::grpc_adapter::GrpcUserClient users(
        cfg->user_grpc_address, rpc::MakeChannelCredentials(cfg->grpc_tls), cfg->grpc_timeout,
        cfg->service_secret, counted);
    gateway::grpc_adapter::GrpcAlbumClient albums(
        cfg->album_grpc_address, rpc::MakeChannelCredentials(cfg->grpc_tls), cfg->grpc_timeout,
        cfg->service_secret, counted);
    gateway::Sessions sessions(users, clock, cfg->sessions);
    net::Router router;
    auto login_limit = std::make_unique<gateway::LoginRateLimit>(cfg->login_rate);  // 1.5 MiB
    gateway::ResponseCache album_cache(clock, cfg->album_cache);
    gateway::http::RouteDeps deps{users,   sessions,    "0.1.0", login_limit.get(),
                                  &albums, &album_cache};
    // Uploads: staging objects in the store, one confirmed message per file, blocking I/O on a
    // pool of its own.
    auto store = storage::Open(cfg->storage, clock);
    if (!store.ok()) {
        log::Error("object store unavailable", {{"error", std::string(store.status().message())}});
        log::Shutdown();
        return 1;
    }
    amqp::Publisher publisher(
        {.url = cfg->amqp_url,
         .topology = amqp::Topology::For(cfg->upload_queue),
         .metrics = counted});
    gateway::amqp_adapter::AmqpUploadQueue queue(publisher, cfg->publish_timeout);
    boost::asio::thread_pool blocking(static_cast<std::size_t>(cfg->blocking_threads));
    gateway::http::UploadDeps uploads{store->get(), &queue, &blocking, cfg->upload_limits, ""};
    if (auto* disk = dynamic_cast<storage::DiskObjectStore*>(store->get())) {
        uploads.files_root = disk->Root().string();
    }
    gateway::http::WebDeps web{
        cfg->web_dir, cfg->google_client_id, cfg->upload_limits, cfg->event_public_url,
        cfg->world_public_url};
    gateway::http::AddGatewayRoutes(router, deps, uploads, web);
    if (counted != nullptr && !cfg->metrics_token.empty()) {
        runtime::AddMetricsRoute(router, *counted, cfg->metrics_token);
    }

    net::ServerOptions http_options = cfg->http;
    http_options.metrics = counted;
    net::Server server(rt.Io(), http_options, router);
    try {
        server.Start();
    } catch (const std::exception& e) {
        log::Error(
            "cannot listen",
            {{"address", cfg->http.address}, {"port", cfg->http.port}, {"error", e.what()}});
        log::Shutdown();
        return 1;
    }
    log::Info(
        "listening", {{"address", cfg->http.address},
                      {"port", server.Port()},
                      {"tls", !cfg->http.cert_file.empty()},
                      {"threads", cfg->threads},
                      {"max_connections", cfg->http.max_connections}});

    rt.DrainHttp(server);          // requests first: they may still be waiting on gRPC calls
    rt.DrainCalls(users.Calls());  // then the calls they left behind, cancelled at the deadline
    rt.DrainCalls(albums.Calls());
    rt.OnDrain("blocking pool", [&blocking](auto) { blocking.join(); });
    if (!service_metrics.ServeAdmin(rt)) {
        log::Shutdown();
        return 1;
    }
    int code = rt.Run();
    log::Shutdown();
    return code;
}

}  // namespace

int main() {
    try {
        return Run();
    } catch (const std::exception& e) {
        std::cerr << "gateway: fatal: " << e.what() << "\n";
        return 1;
    }
}
