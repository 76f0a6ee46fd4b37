// Composition root of the gateway: config -> gRPC client -> sessions -> routes -> HTTP server on
// N threads -> SIGTERM/SIGINT: stop accepting, let open requests finish (up to 10 s), exit.
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hatongsu/core/clock.h"
#include "hatongsu/log/log.h"
#include "hatongsu/net/server.h"
#include "hatongsu/rpc/tls.h"
#include "services/gateway/adapter/grpc/grpc_user_client.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/config.h"

namespace {

using namespace hatongsu;
namespace asio = boost::asio;

// Polls until no connection is open or the grace period is over, then stops the io_context.
void DrainThenStop(
    asio::io_context& io, net::Server& server, std::chrono::steady_clock::time_point deadline) {
    if (server.OpenConnections() == 0 || std::chrono::steady_clock::now() > deadline) {
        io.stop();
        return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(50));
    timer->async_wait(
        [&io, &server, deadline, timer](auto) { DrainThenStop(io, server, deadline); });
}

int Run() {
    config::Env env = config::Env::FromProcess();
    auto cfg = gateway::LoadConfig(env);
    if (!cfg.ok()) {
        std::cerr << "gateway: configuration errors:\n" << cfg.status().message() << "\n";
        return 2;
    }
    log::Init("gateway", cfg->log_level, cfg->log_format);
    log::Info("starting", {{"config", env.Effective()}});  // secrets are shown as ***

    core::SystemClock clock;
    gateway::grpc_adapter::GrpcUserClient users(
        cfg->user_grpc_address, rpc::MakeChannelCredentials(cfg->grpc_tls), cfg->grpc_timeout,
        cfg->service_secret);
    gateway::Sessions sessions(users, clock, cfg->sessions);
    net::Router router;
    gateway::http::RouteDeps deps{users, sessions};
    gateway::http::AddSystemRoutes(router, deps);
    gateway::http::AddAuthRoutes(router, deps);
    gateway::http::AddUserRoutes(router, deps);

    asio::io_context io(cfg->threads);
    net::Server server(io, cfg->http, router);
    try {
        server.Start();
    } catch (const std::exception& e) {
        log::Error(
            "cannot listen",
            {{"address", cfg->http.address}, {"port", cfg->http.port}, {"error", e.what()}});
        return 1;
    }
    log::Info(
        "listening", {{"address", cfg->http.address},
                      {"port", server.Port()},
                      {"tls", !cfg->http.cert_file.empty()},
                      {"threads", cfg->threads}});

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) {
            return;
        }
        log::Info("shutting down", {{"signal", sig}});
        server.Stop();
        DrainThenStop(io, server, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    });

    std::vector<std::thread> threads;
    for (int i = 1; i < cfg->threads; ++i) {
        threads.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : threads) {
        t.join();
    }
    log::Info("stopped");
    log::Shutdown();
    return 0;
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
