// The world server's settings, read from the environment (README.md lists every variable).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/net/server.h"
#include "hatongsu/runtime/admin.h"
#include "services/world/adapter/geckos/geckos_channels.h"
#include "services/world/adapter/http/world_endpoints.h"
#include "services/world/domain/world.h"
#include "services/world/usecase/signaling.h"

namespace hatongsu::world {

// What the WebRTC transport adapter needs (read here so every WORLD_* variable is checked in
// one place; main hands it to the transport).
struct TransportConfig {
    uint16_t udp_port;        // WORLD_UDP_PORT: the one UDP port every peer uses
    std::string public_ip;    // WORLD_PUBLIC_IP: the address advertised as the host candidate
    std::string udp_address;  // WORLD_UDP_ADDR: where the UDP socket binds
    std::size_t max_peers;    // transport-level cap: players plus pending connections
    // WORLD_CONSENT_TIMEOUT_MS: a peer silent this long (no STUN check, no DTLS record) is gone.
    std::chrono::milliseconds consent_timeout{4000};
    // WORLD_OPEN_TIMEOUT_MS too: the transport closes a peer whose channel is not open by then.
    std::chrono::milliseconds open_timeout{30000};
    // Largest message a peer may send (the channel codec's limit): the transport stops
    // reassembling there, so a peer cannot make us hold more.
    std::size_t max_inbound_message_bytes = 4096;
};

struct WorldConfig {
    std::string address;
    uint16_t port;
    int io_threads;
    std::vector<std::string> cors_origins;
    std::string tls_cert_file;
    std::string tls_key_file;
    bool trust_forwarded_for;
    std::chrono::milliseconds drain_timeout;
    WorldSettings world;
    SignalingSettings signaling;
    geckos::ReliableOptions reliable;
    geckos::InboundOptions inbound;
    http::EndpointOptions endpoints;
    TransportConfig transport;
    std::string access_secret;  // ACCESS_TOKEN_SECRET, when WORLD_REQUIRE_AUTH
    std::string log_level;
    runtime::AdminConfig admin;  // WORLD_METRICS, WORLD_ADMIN_ADDR, WORLD_ADMIN_PORT (default 9104)
    std::string log_format;
};

absl::StatusOr<WorldConfig> LoadConfig(config::Env& env);

// The signaling server's options: address, port, CORS origins, forwarded-for trust, TLS.
net::ServerOptions HttpServerOptions(const WorldConfig& config);

// "x,y,z" -> Vec3; "minX,minY,minZ,maxX,maxY,maxZ" -> Bounds (min below max on each axis).
absl::StatusOr<Vec3> ParseVec3(std::string_view text);
absl::StatusOr<Bounds> ParseBounds(std::string_view text);

}  // namespace hatongsu::world
