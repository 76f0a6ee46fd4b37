// The gateway's settings, read from the environment (README lists every variable).
#pragma once

#include <chrono>
#include <string>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/net/server.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/storage/config.h"
#include "services/gateway/usecase/login_rate_limit.h"
#include "services/gateway/usecase/response_cache.h"
#include "services/gateway/usecase/sessions.h"
#include "services/gateway/usecase/upload_session.h"

namespace hatongsu::gateway {

struct GatewayConfig {
    net::ServerOptions http;
    int threads;
    std::chrono::milliseconds drain_timeout;  // SIGTERM: in-flight work is cancelled after it
    std::string user_grpc_address;
    std::string album_grpc_address;
    rpc::ClientTls grpc_tls;
    std::string service_secret;  // HATONGSU_SERVICE_SECRET, sent to the services; may be empty
    std::chrono::milliseconds grpc_timeout;
    SessionSettings sessions;
    LoginRateSettings login_rate;
    ResponseCacheSettings album_cache;  // public album answers
    // Uploads: the staging store (shared variables, libs/storage), the queue, the limits.
    storage::Config storage;
    std::string amqp_url;
    std::string upload_queue;
    std::chrono::milliseconds publish_timeout;
    UploadLimits upload_limits;
    int blocking_threads;          // store writes and publishing (blocking I/O)
    std::string web_dir;           // the built web client served at "/"; empty: none
    std::string google_client_id;  // shown to the web client (its Google button)
    // The gallery's servers as the browser reaches them ("http://host:port"), shown to the web
    // client; empty: it derives them from its own address and the default ports.
    std::string event_public_url;
    std::string world_public_url;
    runtime::AdminConfig admin;  // GATEWAY_METRICS, GATEWAY_ADMIN_ADDR, GATEWAY_ADMIN_PORT (9100)
    // Set: GET /metrics on the public port too, for `Authorization: Bearer <it>` only.
    std::string metrics_token;
    std::string log_level;
    std::string log_format;
};

absl::StatusOr<GatewayConfig> LoadConfig(config::Env& env);

}  // namespace hatongsu::gateway
