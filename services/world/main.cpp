// Composition root of the world server: config -> ports (entropy, clock, token verifier, the
// WebRTC transport) -> use cases (game, signaling) -> geckos layer -> HTTP signaling routes and
// the tick, run by the service runtime (libs/runtime), which owns signals and the drain. On
// SIGTERM the ticker stops, every player gets {"disconnected":null} and is closed, then the HTTP
// drain runs.
//
// The WebRTC transport (libs/webrtc behind the PeerTransport port) runs on a thread of its own;
// its UDP port is bound before the HTTP port, so a start that cannot have both has neither.
#include <iostream>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>

#include "hatongsu/core/clock.h"
#include "hatongsu/log/log.h"
#include "hatongsu/net/server.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/runtime/runtime.h"
#include "services/world/adapter/geckos/geckos_channels.h"
#include "services/world/adapter/http/world_endpoints.h"
#include "services/world/adapter/jwt/jwt_access_verifier.h"
#include "services/world/adapter/system/random_entropy.h"
#include "services/world/adapter/webrtc/webrtc_transport.h"
#include "services/world/config.h"
#include "services/world/usecase/game.h"
#include "services/world/usecase/signaling.h"

namespace {

using namespace hatongsu;

int Run() {
    config::Env env = config::Env::FromProcess();
    auto cfg = world::LoadConfig(env);
    if (!cfg.ok()) {
        std::cerr << "world: configuration errors:\n" << cfg.status().message() << "\n";
        return 2;
    }
    // First, before any thread: see runtime.h for the order of start-up and destruction.
    runtime::Runtime rt(
        "world", {.io_threads = cfg->io_threads, .drain_timeout = cfg->drain_timeout});
    log::Init("world", cfg->log_level, cfg->log_format);
    log::Info("starting", {{"config", env.Effective()}});  // secrets are shown as ***

    runtime::ServiceMetrics service_metrics(cfg->admin);
    auto transport = std::make_unique<world::webrtc::WebRtcTransport>(rt.Io(), cfg->transport);
    if (!transport->Bind()) {
        log::Shutdown();
        return 1;
    }

    core::SystemClock clock;
    world::system::RandomEntropy entropy;
    world::jwt::JwtAccessVerifier verifier(cfg->access_secret, clock);
    world::geckos::GeckosChannels channels(*transport, entropy, clock, cfg->reliable);
    world::Game game(cfg->world, channels, entropy, clock);
    world::Signaling signaling(cfg->signaling, *transport, entropy, verifier, clock);
    world::geckos::GeckosEvents events(*transport, signaling, game, channels, clock, cfg->inbound);
    world::http::WorldEndpoints endpoints(signaling, game, channels, *transport, cfg->endpoints);
    transport->Start(events);

    net::Router router;
    endpoints.Register(router);
    net::ServerOptions http = world::HttpServerOptions(*cfg);
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
                      {"tls", !cfg->tls_cert_file.empty()},
                      {"udp_port", transport->UdpPort()},
                      {"public_ip", cfg->transport.public_ip},
                      {"capacity", cfg->world.capacity},
                      {"require_auth", cfg->signaling.require_auth}});

    rt.OnDrain("world", [&endpoints, &game](auto) {
        endpoints.Stop();
        game.DisconnectAll();  // {"disconnected":null} and a close for every player
    });
    rt.DrainHttp(server);
    if (!service_metrics.ServeAdmin(rt)) {
        transport->Stop();
        log::Shutdown();
        return 1;
    }
    int code = rt.Run();
    transport->Stop();  // no event reaches the objects below once they start going away
    log::Shutdown();
    return code;
}

}  // namespace

int main() {
    try {
        return Run();
    } catch (const std::exception& e) {
        std::cerr << "world: fatal: " << e.what() << "\n";
        return 1;
    }
}
