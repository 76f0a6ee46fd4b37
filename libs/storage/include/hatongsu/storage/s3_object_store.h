// S3ObjectStore: the ObjectStore on any S3-compatible server (AWS S3, MinIO, s3rver), through
// libcurl with its SigV4 request signing, path-style addressing (<endpoint>/<bucket>/<key>) and TLS
// verification always on. A writer spools to an unnamed temporary file (memory stays bounded
// whatever the object's size) and Commit sends one PUT. Thread-safe: each call takes its own curl
// handle from a small pool (connections are reused), nothing else is shared.
//
//   S3ObjectStore store({.endpoint = "http://127.0.0.1:9000", .bucket = "album", ...}, clock);
//   CORE_RETURN_IF_ERROR(store.EnsureBucket());  // at start
//
// Errors: Unavailable (no connection, timeouts, HTTP 5xx and 429: retry), NotFound (404),
// PermissionDenied (403: credentials), Internal (any other answer). Messages never hold secrets.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hatongsu/core/clock.h"
#include "hatongsu/storage/object_store.h"

namespace hatongsu::storage {

namespace internal {
class UploadSource;  // where an upload's bytes come from (s3_object_store.cpp)
}  // namespace internal

struct S3Options {
    std::string endpoint{};  // "http(s)://host[:port]", no path
    // Base URL browsers load objects from (public bucket or CDN): PublicUrl is
    // <public_url>/<bucket>/<key>. Empty: PublicUrl is a presigned GET on `endpoint`.
    std::string public_url{};
    std::string bucket{};
    std::string region = "us-east-1";
    std::string access_key{};
    std::string secret_key{};
    // Trust this CA bundle (PEM) instead of the system's; verification stays on either way.
    std::string ca_file{};
    std::filesystem::path spool_dir = "/tmp";  // writers' temporary files (unlinked at once)
    std::chrono::milliseconds connect_timeout{5000};
    // A transfer that moves no byte for this long fails (Unavailable); large objects still have
    // all the time they need.
    std::chrono::seconds stall_timeout{30};
    std::size_t list_page_keys = 1000;  // keys asked for per ListObjectsV2 page (S3's maximum)
};

// Presigned URLs are valid for 7 days (S3's maximum) from the start of the UTC day they are made
// on, so the same key yields the same URL all day long and browsers can cache the image.
inline constexpr std::chrono::seconds kPresignExpiry{604800};

class S3ObjectStore final : public ObjectStore {
public:
    // Does no I/O; call EnsureBucket before use. `clock` (owned by main) dates presigned URLs.
    S3ObjectStore(S3Options options, core::Clock& clock);
    ~S3ObjectStore() override;
    S3ObjectStore(const S3ObjectStore&) = delete;
    S3ObjectStore& operator=(const S3ObjectStore&) = delete;

    // HEAD on the bucket; creates it when the server says 404.
    [[nodiscard]] absl::Status EnsureBucket();

    absl::StatusOr<std::unique_ptr<ObjectWriter>> Create(std::string key, ObjectInfo info) override;
    [[nodiscard]] absl::Status Put(
        std::string key, std::string_view bytes, ObjectInfo info) override;
    absl::StatusOr<std::string> Get(std::string_view key, uint64_t max_bytes) override;
    [[nodiscard]] absl::Status Copy(
        std::string_view from, std::string key, ObjectInfo info) override;
    absl::StatusOr<ObjectStat> Stat(std::string_view key) override;
    [[nodiscard]] absl::Status Delete(std::string_view key) override;
    // Sorted keys (ListObjectsV2); the prefix may be any string of key characters.
    absl::StatusOr<std::vector<std::string>> List(
        std::string_view prefix, std::size_t limit) override;
    std::string PublicUrl(std::string_view key) const override;

private:
    friend class S3ObjectWriter;
    struct Request;
    struct Response;
    // One PUT of the whole object, signed with the source's SHA-256.
    [[nodiscard]] absl::Status Upload(
        const std::string& key, const std::string& content_type, internal::UploadSource& source);
    absl::StatusOr<Response> Perform(Request& request);
    void* AcquireHandle();
    void ReleaseHandle(void* handle);
    std::string ObjectUrl(std::string_view key) const;

    const S3Options options_;
    core::Clock& clock_;    // owned by main, outlives this store
    std::string scheme_;    // "http" or "https"
    std::string host_;      // host[:port] as sent in Host (default ports left out)
    std::string sigv4_;     // "aws:amz:<region>:s3"
    std::string base_url_;  // scheme://host/bucket

    // std::mutex, which ThreadSanitizer sees (Debian's Abseil is uninstrumented): the handles move
    // between threads through this pool.
    std::mutex mu_;
    std::vector<void*> idle_handles_;  // CURL*, kept for connection reuse; guarded by mu_
};

}  // namespace hatongsu::storage
