// The gateway's settings, read from the environment (README lists every variable).
#pragma once

#include <chrono>
#include <string>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/net/server.h"
#include "hatongsu/rpc/tls.h"
#include "services/gateway/usecase/login_rate_limit.h"
#include "services/gateway/usecase/sessions.h"

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
    std::string log_level;
    std::string log_format;
};

absl::StatusOr<GatewayConfig> LoadConfig(config::Env& env);

}  // namespace hatongsu::gateway
