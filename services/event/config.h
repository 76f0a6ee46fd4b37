// The event server's settings, read from the environment (README lists every variable).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/runtime/admin.h"
#include "services/event/adapter/http/event_endpoints.h"
#include "services/event/domain/room.h"

namespace hatongsu::event {

struct EventConfig {
    std::string address;
    uint16_t port;
    int io_threads;
    std::vector<std::string> cors_origins;  // FRONTEND_URL
    std::chrono::milliseconds drain_timeout;
    RoomSettings room;  // ids and creation time are filled in by main
    http::EndpointOptions endpoints;
    bool require_auth;
    bool trust_forwarded_for;   // the client address from X-Forwarded-For (one trusted proxy)
    std::string access_secret;  // ACCESS_TOKEN_SECRET: join tokens and the admin routes
    std::string log_level;
    runtime::AdminConfig admin;  // EVENT_METRICS, EVENT_ADMIN_ADDR, EVENT_ADMIN_PORT (default 9103)
    std::string log_format;
};

absl::StatusOr<EventConfig> LoadConfig(config::Env& env);

}  // namespace hatongsu::event
