#include "services/album/config.h"

#include <thread>

#include "hatongsu/rpc/service_auth.h"

namespace hatongsu::album {

absl::StatusOr<AlbumConfig> LoadConfig(config::Env& env) {
    using namespace std::chrono_literals;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    AlbumConfig c;
    c.grpc_address = env.String({"ALBUM_GRPC_ADDR", "GRPC_URL"}, "127.0.0.1:4002");
    c.grpc_tls.cert_file = env.String({"ALBUM_GRPC_TLS_CERT_FILE"}, "");
    c.grpc_tls.key_file = env.String({"ALBUM_GRPC_TLS_KEY_FILE"}, "");
    c.grpc_tls.client_ca_file = env.String({"ALBUM_GRPC_TLS_CLIENT_CA_FILE"}, "");
    if (c.grpc_tls.cert_file.empty() != c.grpc_tls.key_file.empty() ||
        (c.grpc_tls.cert_file.empty() && !c.grpc_tls.client_ca_file.empty())) {
        env.AddError(
            "ALBUM_GRPC_TLS_CERT_FILE and ALBUM_GRPC_TLS_KEY_FILE go together (and a client CA "
            "needs them)");
    }
    c.service_secret = env.Secret({"HATONGSU_SERVICE_SECRET"}, "", false);
    if (absl::Status s = rpc::CheckListenSecurity(
            c.grpc_address, c.service_secret, !c.grpc_tls.client_ca_file.empty(),
            "HATONGSU_SERVICE_SECRET");
        !s.ok()) {
        env.AddError(std::string(s.message()));
    }
    c.pg_url = env.Secret({"ALBUM_PG_URL", "DB_URL"});  // holds a password: logged redacted
    c.io_threads = env.Int({"ALBUM_THREADS"}, 8, 1, 256);
    c.max_queued_calls = env.Int({"ALBUM_MAX_QUEUED_CALLS"}, 4096, 1, 1000000);
    c.decode_threads = env.Int({"ALBUM_DECODE_THREADS"}, cores, 1, 256);
    // Twice as many jobs as decodes: one job's storage and database waits overlap another's decode.
    c.job_threads = 2 * c.decode_threads;
    // Every gRPC thread and every job thread (the worker's writes) may hold a connection.
    const int pool_users = c.io_threads + c.job_threads;
    c.pg_pool_size = env.Int({"ALBUM_PG_POOL_SIZE"}, pool_users, 1, 1024);
    if (c.pg_pool_size < pool_users) {
        env.AddError(
            "ALBUM_PG_POOL_SIZE (" + std::to_string(c.pg_pool_size) +
            ") must be at least ALBUM_THREADS + 2 x ALBUM_DECODE_THREADS (" +
            std::to_string(pool_users) +
            "): every thread that uses the database needs a connection");
    }
    c.amqp_url =
        env.Secret({"ALBUM_AMQP_URL", "RABBITMQ_URL"}, "amqp://guest:guest@127.0.0.1:5672/", false);
    c.queue = env.String({"ALBUM_QUEUE"}, "album_queue");
    c.prefetch = env.Int({"ALBUM_PREFETCH"}, 2 * c.job_threads, 1, 1000);
    c.max_attempts = env.Int({"ALBUM_MAX_ATTEMPTS"}, 10, 1, 100);
    c.max_pixels = env.Int({"ALBUM_MAX_PIXELS"}, 100'000'000, 1, 2'000'000'000);
    c.max_file_bytes =
        static_cast<int64_t>(env.Int({"ALBUM_MAX_FILE_BYTES"}, 200 << 20, 1, 2'000'000'000));
    c.drain_timeout = env.Duration({"ALBUM_DRAIN_TIMEOUT_MS"}, 10s);
    env.Optional({"TCP_PORT"});            // the original required it and never used it
    c.storage = storage::LoadConfig(env);  // the store's own, shared variables
    c.log_level = env.String({"LOG_LEVEL"}, "info");
    c.admin = runtime::LoadAdminConfig(env, "ALBUM_", 9102);
    c.log_format = env.String({"LOG_FORMAT"}, "json");
    // The gateway's names for the album service, which may share this environment.
    absl::Status s = env.Finish("ALBUM_", {"ALBUM_GRPC_URL", "ALBUM_RABBITMQ_URL"});
    if (!s.ok()) {
        return s;
    }
    return c;
}

}  // namespace hatongsu::album
