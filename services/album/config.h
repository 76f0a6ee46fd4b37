// The album service's settings, read from the environment (README lists every variable).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/runtime/admin.h"
#include "hatongsu/storage/config.h"

namespace hatongsu::album {

struct AlbumConfig {
    std::string grpc_address;
    rpc::ServerTls grpc_tls;
    std::string service_secret;  // HATONGSU_SERVICE_SECRET; empty: mutual TLS or loopback only
    std::string pg_url;
    int pg_pool_size;
    int io_threads;        // gRPC work pool (database-bound calls)
    int max_queued_calls;  // calls waiting or running at most
    std::string amqp_url;
    std::string queue;   // the upload queue (ALBUM_QUEUE; the original's album_queue)
    int prefetch;        // unacknowledged upload messages at most
    int max_attempts;    // tries of a job whose dependencies are down, before its dead letter
    int decode_threads;  // images decoding at once (ALBUM_DECODE_THREADS, default: the cores)
    int job_threads;     // upload jobs at once: 2 x decode_threads
    int64_t max_pixels;
    int64_t max_file_bytes;
    std::chrono::milliseconds drain_timeout;
    storage::Config storage;  // STORAGE_*, S3_*, MINIO_* (libs/storage)
    std::string log_level;
    runtime::AdminConfig admin;  // ALBUM_METRICS, ALBUM_ADMIN_ADDR, ALBUM_ADMIN_PORT (default 9102)
    std::string log_format;
};

absl::StatusOr<AlbumConfig> LoadConfig(config::Env& env);

}  // namespace hatongsu::album
