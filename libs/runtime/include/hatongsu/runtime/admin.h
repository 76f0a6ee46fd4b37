// Where Prometheus reads a service's metrics: every service has a small admin HTTP port of its
// own (AdminServer, loopback by default) answering GET /metrics and GET /livez. The gateway also
// answers GET /metrics on its public port to the bearer of a token (AddMetricsRoute), when one is
// set.
//
//   cfg.admin = runtime::LoadAdminConfig(env, "USER_", 9101);       // in LoadConfig
//   runtime::ServiceMetrics metrics(cfg->admin);                     // in main, early
//   pg::Pool pool(url, size, timeout, metrics.Registry());          // nullptr: not counted
//   ...
//   if (!metrics.ServeAdmin(rt)) { return 1; }                       // after the other drain steps
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hatongsu/net/router.h"

namespace hatongsu::config {
class Env;
}
namespace hatongsu::metrics {
class Registry;
}
namespace hatongsu::net {
class Server;
}

namespace hatongsu::runtime {

class Runtime;

struct AdminConfig {
    bool metrics = true;                // <PREFIX>METRICS: collect metrics at all
    std::string address = "127.0.0.1";  // <PREFIX>ADMIN_ADDR
    uint16_t port = 0;                  // <PREFIX>ADMIN_PORT (0: any free port, logged at start)
};

// Reads <prefix>METRICS (default on), <prefix>ADMIN_ADDR (default 127.0.0.1) and
// <prefix>ADMIN_PORT (default `default_port`) into `env`'s errors and effective settings.
AdminConfig LoadAdminConfig(config::Env& env, std::string_view prefix, uint16_t default_port);

// GET /metrics answering registry.Render(); with a non-empty `token`, only to a caller presenting
// `Authorization: Bearer <token>` (anyone else gets the 404 of an unknown route). An empty token
// answers everyone: for the admin port, bound where only those who may read it reach it.
void AddMetricsRoute(net::Router& router, const metrics::Registry& registry, std::string token);

// A service's admin port: GET /metrics (open) and GET /livez, started at construction (throws
// std::runtime_error when the port is taken: a start-up error) and drained by `rt` after every
// step added before it. `registry` must outlive it.
class AdminServer final {
public:
    AdminServer(Runtime& rt, const AdminConfig& config, const metrics::Registry& registry);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    uint16_t Port() const;

private:
    net::Router router_;
    std::unique_ptr<net::Server> server_;
};

// What a service's main keeps for its metrics: the registry (none with <PREFIX>METRICS=0) and,
// once ServeAdmin() ran, the admin port. Declare it before whatever counts into its registry.
class ServiceMetrics final {
public:
    explicit ServiceMetrics(AdminConfig config);
    ~ServiceMetrics();

    // Where to count; nullptr when metrics are off.
    metrics::Registry* Registry() { return registry_.get(); }
    // Starts the admin port (without metrics: nothing) as the runtime's last drain step, so that
    // metrics stay readable while the rest drains. False, logged, when it cannot listen.
    bool ServeAdmin(Runtime& rt);

private:
    const AdminConfig config_;
    std::unique_ptr<metrics::Registry> registry_;
    std::unique_ptr<AdminServer> admin_;  // destroyed before the registry it reads
};

}  // namespace hatongsu::runtime
