#include "services/gateway/config.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "hatongsu/amqp/config.h"

namespace hatongsu::gateway {
namespace {

// A base URL the browser connects to: empty, or "http(s)://host[:port]" with no path, query or
// characters that could not stand in a URL.
std::string PublicUrl(config::Env& env, const std::string& name) {
    std::string url = env.String({name}, "");
    if (url.empty()) {
        return url;
    }
    std::string_view rest = url;
    bool scheme = false;
    for (std::string_view prefix : {"http://", "https://"}) {
        if (rest.starts_with(prefix)) {
            rest.remove_prefix(prefix.size());
            scheme = true;
        }
    }
    bool clean = !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' ||
               ch == ':' || ch == '[' || ch == ']';
    });
    if (!scheme || !clean) {
        env.AddError(
            name + " must be a base URL such as http://host:port (no path), not \"" + url + "\"");
    }
    return url;
}

}  // namespace

absl::StatusOr<GatewayConfig> LoadConfig(config::Env& env) {
    using namespace std::chrono_literals;
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    GatewayConfig c;
    c.http.address = env.String({"GATEWAY_HTTP_ADDR"}, "127.0.0.1");
    c.http.port =
        static_cast<uint16_t>(env.Int({"GATEWAY_HTTP_PORT", "HTTP_PORT"}, 4000, 0, 65535));
    c.http.cors_origins =
        env.List({"GATEWAY_CORS_ORIGINS", "FRONTEND_URL"}, {"http://localhost:4000"});
    c.http.body_limit =
        static_cast<std::size_t>(env.Int({"GATEWAY_JSON_BODY_LIMIT"}, 1 << 20, 1024, 1 << 30));
    c.http.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(
        env.Duration({"GATEWAY_IDLE_TIMEOUT_S"}, 60s));
    c.http.header_timeout = env.Duration({"GATEWAY_HEADER_TIMEOUT_MS"}, 10s);
    c.http.trust_forwarded_for = env.Bool({"GATEWAY_TRUST_FORWARDED_FOR"}, false);
    c.http.cert_file = env.String({"GATEWAY_TLS_CERT_FILE"}, "");
    c.http.key_file = env.String({"GATEWAY_TLS_KEY_FILE"}, "");
    if (c.http.cert_file.empty() != c.http.key_file.empty()) {
        env.AddError("GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together");
    }
    c.http.max_connections =
        static_cast<std::size_t>(env.Int({"GATEWAY_MAX_CONNECTIONS"}, 10000, 1, 1000000));
    c.threads = env.Int({"GATEWAY_THREADS"}, cores, 1, 256);
    c.drain_timeout = env.Duration({"GATEWAY_DRAIN_TIMEOUT_MS"}, 10s);
    c.user_grpc_address = env.String({"USER_GRPC_URL", "GATEWAY_USER_GRPC_ADDR"}, "127.0.0.1:4001");
    c.album_grpc_address =
        env.String({"ALBUM_GRPC_URL", "GATEWAY_ALBUM_GRPC_ADDR"}, "127.0.0.1:4002");
    c.grpc_tls.ca_file = env.String({"GATEWAY_GRPC_CA_FILE"}, "");
    c.grpc_tls.cert_file = env.String({"GATEWAY_GRPC_TLS_CERT_FILE"}, "");
    c.grpc_tls.key_file = env.String({"GATEWAY_GRPC_TLS_KEY_FILE"}, "");
    if (c.grpc_tls.cert_file.empty() != c.grpc_tls.key_file.empty() ||
        (c.grpc_tls.ca_file.empty() && !c.grpc_tls.cert_file.empty())) {
        env.AddError(
            "GATEWAY_GRPC_TLS_CERT_FILE and GATEWAY_GRPC_TLS_KEY_FILE go together, with "
            "GATEWAY_GRPC_CA_FILE");
    }
    c.service_secret = env.Secret({"HATONGSU_SERVICE_SECRET"}, "", false);
    c.grpc_timeout = env.Duration({"GATEWAY_GRPC_TIMEOUT_MS"}, 5s);
    c.sessions.account_ttl = env.Duration({"GATEWAY_ACCOUNT_CACHE_MS"}, 1s);
    c.login_rate.per_second = env.Int({"GATEWAY_LOGIN_RATE_PER_S"}, 10, 0, 100000);
    c.login_rate.burst = env.Int({"GATEWAY_LOGIN_BURST"}, 20, 1, 100000);
    c.album_cache.ttl = env.Duration({"GATEWAY_ALBUM_CACHE_MS"}, 1s);
    c.album_cache.max_bytes =
        static_cast<std::size_t>(env.Int({"GATEWAY_ALBUM_CACHE_MB"}, 16, 1, 4096)) << 20;
    c.storage = storage::LoadConfig(env);
    c.amqp_url = amqp::LoadUrl(
        env, {"GATEWAY_AMQP_URL", "ALBUM_RABBITMQ_URL"}, "amqp://guest:guest@127.0.0.1:5672/");
    c.upload_queue = env.String({"GATEWAY_UPLOAD_QUEUE"}, "album_queue");
    c.web_dir = env.String({"GATEWAY_WEB_DIR"}, "");
    c.google_client_id = env.String({"GOOGLE_CLIENT_ID"}, "");
    c.event_public_url = PublicUrl(env, "GATEWAY_EVENT_PUBLIC_URL");
    c.world_public_url = PublicUrl(env, "GATEWAY_WORLD_PUBLIC_URL");
    c.publish_timeout = env.Duration({"GATEWAY_PUBLISH_TIMEOUT_MS"}, 10s);
    c.upload_limits.max_files = env.Int({"GATEWAY_UPLOAD_MAX_FILES"}, 100, 1, 100);
    c.upload_limits.max_file_bytes =
        static_cast<int64_t>(env.Int({"GATEWAY_UPLOAD_MAX_FILE_MB"}, 64, 1, 2048)) << 20;
    c.upload_limits.max_total_bytes =
        static_cast<int64_t>(env.Int({"GATEWAY_UPLOAD_MAX_TOTAL_MB"}, 1024, 1, 1 << 20)) << 20;
    c.blocking_threads = env.Int({"GATEWAY_BLOCKING_THREADS"}, 4, 1, 256);
    c.admin = runtime::LoadAdminConfig(env, "GATEWAY_", 9100);
    c.metrics_token = env.Secret({"GATEWAY_METRICS_TOKEN"}, "", false);
    c.log_level = env.String({"LOG_LEVEL"}, "info");
    c.log_format = env.String({"LOG_FORMAT"}, "json");
    absl::Status s = env.Finish("GATEWAY_", {});
    if (!s.ok()) {
        return s;
    }
    return c;
}

}  // namespace hatongsu::gateway
