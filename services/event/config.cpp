#include "services/event/config.h"

#include <thread>

namespace hatongsu::event {

absl::StatusOr<EventConfig> LoadConfig(config::Env& env) {
    using namespace std::chrono_literals;
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    EventConfig c;
    c.address = env.String({"EVENT_HTTP_ADDR"}, "127.0.0.1");
    c.port = static_cast<uint16_t>(env.Int({"EVENT_HTTP_PORT"}, 2567, 0, 65535));
    c.io_threads = env.Int({"EVENT_THREADS"}, cores, 1, 256);
    c.cors_origins = env.List({"EVENT_CORS_ORIGINS", "FRONTEND_URL"}, {"http://localhost:4000"});
    c.drain_timeout = env.Duration({"EVENT_DRAIN_TIMEOUT_MS"}, 10s);
    c.room.seat_reservation = env.Duration({"EVENT_SEAT_RESERVATION_MS"}, 15s);
    c.room.reconnect_grace = env.Duration({"EVENT_RECONNECT_GRACE_MS"}, 10s);
    c.room.capacity = static_cast<std::size_t>(env.Int({"EVENT_CAPACITY"}, 1000, 1, 1000000));
    c.room.max_pending_seats =
        static_cast<std::size_t>(env.Int({"EVENT_MAX_PENDING_SEATS"}, 100, 1, 1000000));
    c.room.max_pending_seats_per_client =
        static_cast<std::size_t>(env.Int({"EVENT_MAX_PENDING_SEATS_PER_IP"}, 10, 1, 1000000));
    c.room.max_sessions_per_client =
        static_cast<std::size_t>(env.Int({"EVENT_MAX_CLIENTS_PER_IP"}, 32, 1, 1000000));
    c.trust_forwarded_for = env.Bool({"EVENT_TRUST_FORWARDED_FOR"}, false);
    c.room.kick_ban = env.Duration({"EVENT_KICK_BAN_MS"}, 10min);
    c.room.history = static_cast<std::size_t>(env.Int({"EVENT_HISTORY"}, 50, 0, 10000));
    c.room.max_message_chars =
        static_cast<std::size_t>(env.Int({"EVENT_MAX_MESSAGE_CHARS"}, 500, 1, 100000));
    c.room.chat_rate.per_second = env.Int({"EVENT_CHAT_RATE"}, 5, 1, 100000);
    c.room.chat_rate.burst = env.Int({"EVENT_CHAT_BURST"}, 10, 1, 100000);
    c.endpoints.websocket.max_message_size =
        static_cast<std::size_t>(env.Int({"EVENT_MAX_FRAME_BYTES"}, 4096, 64, 16 << 20));
    c.endpoints.websocket.send_queue_limit =
        static_cast<std::size_t>(env.Int({"EVENT_SEND_QUEUE_KB"}, 1024, 1, 1 << 20)) * 1024;
    c.endpoints.websocket.ping_interval = env.Duration({"EVENT_PING_INTERVAL_MS"}, 3s);
    c.endpoints.websocket.max_missed_pongs = env.Int({"EVENT_MAX_MISSED_PONGS"}, 2, 1, 100);
    c.endpoints.websocket.write_timeout = env.Duration({"EVENT_WRITE_TIMEOUT_MS"}, 15s);
    if (c.endpoints.websocket.write_timeout.count() <= 0) {
        env.AddError(
            "EVENT_WRITE_TIMEOUT_MS must be positive (a client that never reads is dropped)");
    }
    c.endpoints.patch_interval = env.Duration({"EVENT_PATCH_INTERVAL_MS"}, 50ms);
    c.endpoints.send_batch_interval = env.Duration({"EVENT_SEND_BATCH_MS"}, 20ms);
    c.endpoints.frame_rate.per_second = env.Int({"EVENT_MAX_FRAMES_PER_S"}, 20, 1, 100000);
    c.endpoints.frame_rate.burst = 2 * c.endpoints.frame_rate.per_second;
    c.endpoints.max_malformed_frames = env.Int({"EVENT_MAX_MALFORMED_FRAMES"}, 10, 0, 1000000);
    if (c.endpoints.send_batch_interval.count() < 0) {
        env.AddError("EVENT_SEND_BATCH_MS must not be negative");
    }
    if (c.endpoints.patch_interval.count() <= 0) {
        env.AddError("EVENT_PATCH_INTERVAL_MS must be positive");
    }
    c.require_auth = env.Bool({"EVENT_REQUIRE_AUTH"}, false);
    c.access_secret = env.Secret({"ACCESS_TOKEN_SECRET"}, "", c.require_auth);
    c.log_level = env.String({"LOG_LEVEL"}, "info");
    c.admin = runtime::LoadAdminConfig(env, "EVENT_", 9103);
    c.log_format = env.String({"LOG_FORMAT"}, "json");
    absl::Status s = env.Finish("EVENT_", {});
    if (!s.ok()) {
        return s;
    }
    return c;
}

}  // namespace hatongsu::event
