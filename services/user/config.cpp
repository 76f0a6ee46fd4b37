#include "services/user/config.h"

#include <thread>

#include "hatongsu/rpc/service_auth.h"

namespace hatongsu::user {

absl::StatusOr<UserConfig> LoadConfig(config::Env& env) {
    using namespace std::chrono_literals;
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    UserConfig c;
    c.grpc_address = env.String({"USER_GRPC_ADDR", "GRPC_URL"}, "127.0.0.1:4001");
    c.grpc_tls.cert_file = env.String({"USER_GRPC_TLS_CERT_FILE"}, "");
    c.grpc_tls.key_file = env.String({"USER_GRPC_TLS_KEY_FILE"}, "");
    c.grpc_tls.client_ca_file = env.String({"USER_GRPC_TLS_CLIENT_CA_FILE"}, "");
    if (c.grpc_tls.cert_file.empty() != c.grpc_tls.key_file.empty() ||
        (c.grpc_tls.cert_file.empty() && !c.grpc_tls.client_ca_file.empty())) {
        env.AddError(
            "USER_GRPC_TLS_CERT_FILE and USER_GRPC_TLS_KEY_FILE go together (and a client CA needs "
            "them)");
    }
    c.service_secret = env.Secret({"HATONGSU_SERVICE_SECRET"}, "", false);
    if (absl::Status s = rpc::CheckListenSecurity(
            c.grpc_address, c.service_secret, !c.grpc_tls.client_ca_file.empty(),
            "HATONGSU_SERVICE_SECRET");
        !s.ok()) {
        env.AddError(std::string(s.message()));
    }
    c.pg_url = env.Secret({"USER_PG_URL", "DB_URL"});  // holds a password: logged redacted
    c.io_threads = env.Int({"USER_THREADS"}, 8, 1, 256);
    c.hash_threads = env.Int({"USER_HASH_THREADS"}, cores, 1, 256);
    // Both pools' threads use the database (a login reads the account on a hashing thread): one
    // connection each, so no call ever waits for a connection.
    const int pool_users = c.io_threads + c.hash_threads;
    c.pg_pool_size = env.Int({"USER_PG_POOL_SIZE"}, pool_users, 1, 512);
    if (c.pg_pool_size < pool_users) {
        env.AddError(
            "USER_PG_POOL_SIZE (" + std::to_string(c.pg_pool_size) +
            ") must be at least USER_THREADS + USER_HASH_THREADS (" + std::to_string(pool_users) +
            "): every thread that uses the database needs a connection");
    }
    c.max_queued_hashes = env.Int({"USER_MAX_QUEUED_HASHES"}, 64 * cores, 1, 100000);
    c.max_queued_calls = env.Int({"USER_MAX_QUEUED_CALLS"}, 4096, 1, 1000000);
    c.drain_timeout = env.Duration({"USER_DRAIN_TIMEOUT_MS"}, 10s);
    c.tokens.access_secret = env.Secret({"ACCESS_TOKEN_SECRET"});
    c.tokens.refresh_secret = env.Secret({"REFRESH_TOKEN_SECRET"});
    c.tokens.access_ttl = std::chrono::duration_cast<std::chrono::seconds>(
        env.Duration({"USER_ACCESS_TOKEN_TTL"}, 15min));
    c.tokens.refresh_ttl = std::chrono::duration_cast<std::chrono::seconds>(
        env.Duration({"USER_REFRESH_TOKEN_TTL", "TOKEN_EXPIRE_TIME"}, 30 * 24h));
    if (!c.tokens.access_secret.empty() && c.tokens.access_secret == c.tokens.refresh_secret) {
        env.AddError("ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET must differ");
    }
    c.argon2.opslimit = static_cast<uint64_t>(env.Int({"USER_ARGON2_OPSLIMIT"}, 2, 1, 100));
    c.argon2.memlimit =
        static_cast<std::size_t>(env.Int({"USER_ARGON2_MEMLIMIT_KIB"}, 65536, 8, 4 << 20)) << 10;
    c.throttle.max_failures_per_pair = env.Int({"USER_LOGIN_MAX_FAILURES"}, 10, 1, 1000000);
    c.throttle.max_failures_per_address =
        env.Int({"USER_LOGIN_MAX_FAILURES_PER_IP"}, 100, 1, 1000000);
    c.throttle.window = env.Duration({"USER_LOGIN_WINDOW"}, 15min);
    c.throttle.max_delay = env.Duration({"USER_LOGIN_MAX_DELAY"}, 1s);
    if (c.throttle.max_delay > 2s) {
        env.AddError("USER_LOGIN_MAX_DELAY is at most 2s (a slowed login must stay cheap)");
    }
    c.registrations.max_per_window = env.Int({"USER_REGISTER_MAX_PER_IP"}, 20, 1, 1000000);
    c.registrations.window = env.Duration({"USER_REGISTER_WINDOW"}, 1h);
    c.google.client_id = env.String({"GOOGLE_CLIENT_ID"}, "");
    env.Secret({"GOOGLE_CLIENT_SECRET"}, "", false);  // accepted for compatibility, not needed
    c.google.jwks = env.String({"USER_GOOGLE_JWKS"}, "https://www.googleapis.com/oauth2/v3/certs");
    c.admin_email = env.String({"HATONGSU_ADMIN_EMAIL"}, "admin@hatongsu.local");
    c.admin_password = env.Secret({"HATONGSU_ADMIN_PASSWORD"}, "", false);
    env.Optional({"TCP_PORT"});  // the original required it and never used it
    c.log_level = env.String({"LOG_LEVEL"}, "info");
    c.admin = runtime::LoadAdminConfig(env, "USER_", 9101);
    c.log_format = env.String({"LOG_FORMAT"}, "json");
    // USER_GRPC_URL belongs to the gateway (the original's name) and may share this environment.
    absl::Status s = env.Finish("USER_", {"USER_GRPC_URL"});
    if (!s.ok()) {
        return s;
    }
    return c;
}

}  // namespace hatongsu::user
