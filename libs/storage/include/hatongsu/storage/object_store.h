// File: the object store port shared by the gateway (staging writes, GET /files) and the album
// service (final objects). Two adapters: DiskObjectStore (default, a folder) and S3ObjectStore (any
// S3-compatible server). Every method blocks (run it on a pool, never on an io thread) and is safe
// to call from many threads at once.
//
//   auto writer = store.Create("staging/3f1c.bin", {.content_type = "image/jpeg"});
//   CORE_RETURN_IF_ERROR((*writer)->Write(chunk));       // as bytes arrive; memory stays bounded
//   CORE_RETURN_IF_ERROR((*writer)->Commit());           // visible now, all at once, or never
//
// Keys: 1-512 bytes of [A-Za-z0-9._-] in '/'-separated segments, no empty, "." or ".." segment, no
// leading '/'. Anything else is InvalidArgument before any I/O (see ValidateKey), so a key can
// never leave the store's root or bucket. Errors: NotFound (no such object), InvalidArgument (bad
// key), Unavailable (the backend cannot be reached: retry), Internal (anything else).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace hatongsu::storage {

[[nodiscard]] absl::Status ValidateKey(std::string_view key);

struct ObjectInfo {
    std::string content_type = "application/octet-stream";
};

struct ObjectStat {
    uint64_t size = 0;
    std::string content_type;
    std::chrono::system_clock::time_point modified;
};

// One object being written. Nothing is visible under the key until Commit() succeeds; destroying
// an uncommitted writer (or Abort) discards what was written, leaving no partial object behind.
class ObjectWriter {
public:
    virtual ~ObjectWriter() = default;
    [[nodiscard]] virtual absl::Status Write(std::string_view bytes) = 0;
    [[nodiscard]] virtual absl::Status Commit() = 0;
    virtual void Abort() = 0;
    virtual uint64_t BytesWritten() const = 0;
};

class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    virtual absl::StatusOr<std::unique_ptr<ObjectWriter>> Create(
        std::string key, ObjectInfo info) = 0;
    // Whole-object convenience over Create/Write/Commit.
    [[nodiscard]] virtual absl::Status Put(
        std::string key, std::string_view bytes, ObjectInfo info) = 0;
    // The whole object; ResourceExhausted when it is larger than max_bytes (nothing is read past
    // it).
    virtual absl::StatusOr<std::string> Get(std::string_view key, uint64_t max_bytes) = 0;
    // A new object under `key` with the bytes of the object under `from` (replacing what `key`
    // held), without the bytes passing through this process where the backend allows: disk
    // hard-links the file, S3 copies on the server. The two are independent afterwards (deleting
    // one leaves the other). NotFound when `from` does not exist; `key` is then untouched.
    [[nodiscard]] virtual absl::Status Copy(
        std::string_view from, std::string key, ObjectInfo info) = 0;
    virtual absl::StatusOr<ObjectStat> Stat(std::string_view key) = 0;
    // Deleting an absent object is OK (deletes are retried and must be idempotent).
    [[nodiscard]] virtual absl::Status Delete(std::string_view key) = 0;
    // Keys under a prefix ("staging/"), for sweeps and tests; at most `limit` of them.
    virtual absl::StatusOr<std::vector<std::string>> List(
        std::string_view prefix, std::size_t limit) = 0;
    // An absolute URL a browser can GET without credentials, stable for the object's life so
    // browsers and CDNs can cache it (disk: <public base>/files/<key>; S3: the public endpoint, or
    // a presigned GET with a fixed signing date).
    virtual std::string PublicUrl(std::string_view key) const = 0;
};

}  // namespace hatongsu::storage
