// Composition root of the event server: config -> room -> HTTP + WebSocket endpoints on one port,
// run by the service runtime (libs/runtime), which owns signals and the drain. On SIGTERM every
// socket is closed with 4000 (the protocol's consented close), then the HTTP drain waits for the
// sockets to finish their closing handshakes.
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>

#include "hatongsu/core/clock.h"
#include "hatongsu/log/log.h"
#include "hatongsu/net/server.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/runtime/runtime.h"
#include "services/event/adapter/colyseus/random_ids.h"
#include "services/event/adapter/http/event_endpoints.h"
#include "services/event/adapter/jwt/jwt_access_verifier.h"
#include "services/event/config.h"
#include "services/event/usecase/gallery.h"

namespace {

using namespace hatongsu;

int Run() {
    config::Env env = config::Env::FromProcess();
    auto cfg = event::LoadConfig(env);
    if (!cfg.ok()) {
        std::cerr << "event: configuration errors:\n" << cfg.status().message() << "\n";
        return 2;
    }
    // First, before any thread: see runtime.h for the order of start-up and destruction.
    runtime::Runtime rt(
        "event", {.io_threads = cfg->io_threads, .drain_timeout = cfg->drain_timeout});
    log::Init("event", cfg->log_level, cfg->log_format);
    log::Info("starting", {{"config", env.Effective()}});  // secrets are shown as ***

    runtime::ServiceMetrics service_metrics(cfg->admin);
    core::SystemClock clock;
    event::colyseus::RandomIds ids;
    event::jwt::JwtAccessVerifier verifier(cfg->access_secret, clock);
    event::RoomSettings settings = cfg->room;
    settings.room_id = ids.NewId();  // one gallery room, for the life of the process
    settings.process_id = ids.NewId();
    settings.created_at = clock.Now();
    event::http::SocketConnections sockets(
        rt.Io().get_executor(), cfg->endpoints.send_batch_interval);
    event::Gallery gallery(settings, cfg->require_auth, sockets, ids, verifier, clock);
    event::http::EventEndpoints endpoints(gallery, sockets, cfg->endpoints);

    net::Router router;
    endpoints.Register(router);
    net::ServerOptions http;
    http.address = cfg->address;
    http.port = cfg->port;
    http.cors_origins = cfg->cors_origins;
    http.trust_forwarded_for = cfg->trust_forwarded_for;
    http.metrics = service_metrics.Registry();
    if (service_metrics.Registry() != nullptr) {
        service_metrics.Registry()->AddReadings([&endpoints] { return endpoints.Readings(); });
    }
    net::Server server(rt.Io(), http, router);
    try {
        server.Start();
    } catch (const std::exception& e) {
        log::Error(
            "cannot listen", {{"address", cfg->address}, {"port", cfg->port}, {"error", e.what()}});
        log::Shutdown();
        return 1;
    }
    boost::asio::co_spawn(
        boost::asio::make_strand(rt.Io()), endpoints.RunTicker(), boost::asio::detached);
    log::Info(
        "listening", {{"address", cfg->address},
                      {"port", server.Port()},
                      {"room_id", settings.room_id},
                      {"threads", cfg->io_threads},
                      {"require_auth", cfg->require_auth}});

    rt.OnDrain("room", [&gallery, &endpoints](auto) {
        endpoints.Stop();
        gallery.CloseAll();  // close 4000 to everyone; the HTTP drain waits for the handshakes
    });
    rt.DrainHttp(server);
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
        std::cerr << "event: fatal: " << e.what() << "\n";
        return 1;
    }
}
