// Storage settings read from the environment under shared names (no service prefix: the gateway
// and the album service read the same ones), and the factory that opens the configured backend.
// Used by main only.
//
//   storage::Config storage_config = storage::LoadConfig(env);  // problems are added to env
//   ...env.Finish(...)...
//   CORE_ASSIGN_OR_RETURN(auto store, storage::Open(storage_config, clock));
//   auto* disk = dynamic_cast<storage::DiskObjectStore*>(store.get());  // GET /files: non-null on
//   disk
#pragma once

#include <memory>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/core/clock.h"
#include "hatongsu/storage/disk_object_store.h"
#include "hatongsu/storage/object_store.h"
#include "hatongsu/storage/s3_object_store.h"

namespace hatongsu::storage {

enum class Backend { kDisk, kS3 };

struct Config {
    Backend backend = Backend::kDisk;
    DiskOptions disk;  // used when backend is kDisk
    S3Options s3;      // used when backend is kS3
};

// STORAGE_BACKEND (disk|s3), STORAGE_DIR, STORAGE_PUBLIC_URL; S3_ENDPOINT, S3_PUBLIC_URL,
// S3_BUCKET, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY (both secrets: <NAME>_FILE works), S3_CA_FILE,
// S3_SPOOL_DIR, S3_USE_TLS; the original's MINIO_ENDPOINT + MINIO_PORT, MINIO_ACCESS_KEY,
// MINIO_SECRET_KEY and MINIO_BUCKET_NAME as aliases. Every problem is added to `env`, so the
// service reports it with its own at Env::Finish.
Config LoadConfig(config::Env& env);

// Opens the backend: the disk folder is created, the S3 bucket is checked (created when missing).
// Unavailable when the S3 server cannot be reached (the caller may retry or exit).
absl::StatusOr<std::unique_ptr<ObjectStore>> Open(const Config& config, core::Clock& clock);

}  // namespace hatongsu::storage
