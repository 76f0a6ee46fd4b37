#include "services/world/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

namespace hatongsu::world {
namespace {

absl::StatusOr<std::vector<double>> ParseNumbers(std::string_view text, std::size_t count) {
    std::vector<double> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = text.find(',', start);
        std::string_view part =
            text.substr(start, comma == std::string_view::npos ? comma : comma - start);
        while (!part.empty() && part.front() == ' ') {
            part.remove_prefix(1);
        }
        while (!part.empty() && part.back() == ' ') {
            part.remove_suffix(1);
        }
        double v = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size() ||
            !std::isfinite(v) || std::abs(v) > 1e6) {
            return absl::InvalidArgumentError(
                "not a number (|x| <= 1e6): \"" + std::string(part) + "\"");
        }
        out.push_back(v);
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    if (out.size() != count) {
        return absl::InvalidArgumentError(
            "expected " + std::to_string(count) + " comma-separated numbers");
    }
    return out;
}

}  // namespace

absl::StatusOr<Vec3> ParseVec3(std::string_view text) {
    auto n = ParseNumbers(text, 3);
    if (!n.ok()) {
        return n.status();
    }
    return Vec3{(*n)[0], (*n)[1], (*n)[2]};
}

absl::StatusOr<Bounds> ParseBounds(std::string_view text) {
    auto n = ParseNumbers(text, 6);
    if (!n.ok()) {
        return n.status();
    }
    Bounds b{{(*n)[0], (*n)[1], (*n)[2]}, {(*n)[3], (*n)[4], (*n)[5]}};
    if (!(b.min.x < b.max.x && b.min.y < b.max.y && b.min.z < b.max.z)) {
        return absl::InvalidArgumentError("each minimum must be below its maximum");
    }
    return b;
}

absl::StatusOr<WorldConfig> LoadConfig(config::Env& env) {
    using namespace std::chrono_literals;
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    WorldConfig c;
    c.address = env.String({"WORLD_HTTP_ADDR"}, "127.0.0.1");
    c.port = static_cast<uint16_t>(env.Int({"WORLD_PORT", "WORLD_HTTP_PORT"}, 4100, 0, 65535));
    c.io_threads = env.Int({"WORLD_THREADS"}, std::min(cores, 2), 1, 256);
    c.cors_origins = env.List({"WORLD_CORS_ORIGINS", "FRONTEND_URL"}, {"http://localhost:4000"});
    c.tls_cert_file = env.String({"WORLD_TLS_CERT_FILE"}, "");
    c.tls_key_file = env.String({"WORLD_TLS_KEY_FILE"}, "");
    if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
        env.AddError("WORLD_TLS_CERT_FILE and WORLD_TLS_KEY_FILE go together");
    }
    c.trust_forwarded_for = env.Bool({"WORLD_TRUST_FORWARDED_FOR"}, false);
    c.drain_timeout = env.Duration({"WORLD_DRAIN_TIMEOUT_MS"}, 5s);

    // The game.
    const int tick_hz = env.Int({"WORLD_TICK_HZ"}, 100, 1, 1000);
    c.endpoints.tick = std::chrono::milliseconds(1000 / tick_hz);
    const int rate = env.Int({"WORLD_UPDATE_RATE"}, 60, 1, 100000);
    const int burst = env.Int({"WORLD_UPDATE_BURST"}, rate, 1, 100000);
    c.world.rate = {.per_second = static_cast<double>(rate), .burst = static_cast<double>(burst)};
    const int relay = env.Int({"WORLD_RELAY_PER_PEER"}, 1000, 1, 1000000);
    // Two ticks' worth saved up at most: after a quiet moment (a join, everyone stopped) a tick
    // sends each peer a couple of packets, not a burst that delays every peer behind it.
    c.world.relay = {
        .per_second = static_cast<double>(relay), .burst = std::max(1.0, 2.0 * relay / tick_hz)};
    if (auto b = ParseBounds(env.String({"WORLD_BOUNDS"}, "-100,-10,-100,100,50,100")); b.ok()) {
        c.world.rules.bounds = *b;
    } else {
        env.AddError("WORLD_BOUNDS: " + std::string(b.status().message()));
    }
    if (auto s = ParseVec3(env.String({"WORLD_SPAWN"}, "0,0,0")); s.ok()) {
        c.world.spawn.center = *s;
    } else {
        env.AddError("WORLD_SPAWN: " + std::string(s.status().message()));
    }
    if (!Contains(c.world.rules.bounds, c.world.spawn.center)) {
        env.AddError("WORLD_SPAWN must lie inside WORLD_BOUNDS");
    }
    c.world.rules.quaternion_tolerance =
        env.Int({"WORLD_QUATERNION_TOLERANCE_PERMILLE"}, 50, 1, 1000) / 1000.0;
    c.world.capacity = static_cast<std::size_t>(env.Int({"WORLD_CAPACITY"}, 100, 1, 2000));
    c.inbound.codec.max_bytes =
        static_cast<std::size_t>(env.Int({"WORLD_MAX_MESSAGE_BYTES"}, 4096, 256, 262144));
    c.reliable.runs = env.Int({"WORLD_RELIABLE_RUNS"}, 10, 1, 100);
    c.reliable.interval = env.Duration({"WORLD_RELIABLE_INTERVAL_MS"}, 150ms);
    if (c.reliable.interval.count() <= 0) {
        env.AddError("WORLD_RELIABLE_INTERVAL_MS must be positive");
    }

    // Signaling.
    c.signaling.capacity = c.world.capacity;
    c.signaling.limits.max_pending =
        static_cast<std::size_t>(env.Int({"WORLD_MAX_PENDING"}, 200, 1, 100000));
    c.signaling.limits.max_pending_per_address =
        static_cast<std::size_t>(env.Int({"WORLD_MAX_PENDING_PER_IP"}, 10, 1, 100000));
    c.signaling.limits.max_per_address =
        static_cast<std::size_t>(env.Int({"WORLD_MAX_CONNECTIONS_PER_IP"}, 32, 1, 100000));
    c.signaling.limits.open_timeout = env.Duration({"WORLD_OPEN_TIMEOUT_MS"}, 30s);
    if (c.signaling.limits.open_timeout.count() <= 0) {
        env.AddError("WORLD_OPEN_TIMEOUT_MS must be positive");
    }
    c.signaling.require_auth = env.Bool({"WORLD_REQUIRE_AUTH"}, false);
    c.access_secret = env.Secret({"ACCESS_TOKEN_SECRET"}, "", c.signaling.require_auth);

    // The transport.
    c.transport.udp_port = static_cast<uint16_t>(env.Int({"WORLD_UDP_PORT"}, 50000, 0, 65535));
    c.transport.udp_address = env.String({"WORLD_UDP_ADDR"}, "127.0.0.1");
    c.transport.public_ip = env.String({"WORLD_PUBLIC_IP"}, "");
    c.transport.max_peers = c.world.capacity + c.signaling.limits.max_pending;
    c.transport.consent_timeout = env.Duration({"WORLD_CONSENT_TIMEOUT_MS"}, 4000ms);
    c.transport.open_timeout = c.signaling.limits.open_timeout;
    c.transport.max_inbound_message_bytes = c.inbound.codec.max_bytes;
    if (c.transport.consent_timeout < 1000ms) {
        env.AddError("WORLD_CONSENT_TIMEOUT_MS must be at least 1s (browsers check every 2.5 s)");
    }

    c.log_level = env.String({"LOG_LEVEL"}, "info");
    c.admin = runtime::LoadAdminConfig(env, "WORLD_", 9104);
    c.log_format = env.String({"LOG_FORMAT"}, "json");
    absl::Status s = env.Finish("WORLD_", {});
    if (!s.ok()) {
        return s;
    }
    return c;
}

net::ServerOptions HttpServerOptions(const WorldConfig& config) {
    net::ServerOptions http;
    http.address = config.address;
    http.port = config.port;
    http.cors_origins = config.cors_origins;
    http.trust_forwarded_for = config.trust_forwarded_for;
    http.cert_file = config.tls_cert_file;
    http.key_file = config.tls_key_file;
    return http;
}

}  // namespace hatongsu::world
