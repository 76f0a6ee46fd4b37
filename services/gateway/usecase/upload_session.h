// One POST /file/uploads as it streams in: each file part goes straight to a staging object in the
// store while it is hashed (never held in memory), the limits are checked as bytes arrive, and the
// lastModified values are collected. Finish() hands back what was staged; anything that goes
// wrong (or a session dropped before Finish, e.g. the client disconnected) deletes every staging
// object this session wrote, so nothing is left behind.
//
// Blocking (store I/O): call it from a pool thread, one call at a time (not thread-safe).
// Errors: InvalidArgument (field or timestamp problems, shown to the client as 400),
// ResourceExhausted TOO_MANY_FILES / FILE_TOO_LARGE / UPLOAD_TOO_LARGE (413), the store's own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "hatongsu/core/sha256.h"
#include "hatongsu/storage/object_store.h"
#include "services/gateway/domain/album.h"

namespace hatongsu::gateway {

struct UploadLimits {
    int max_files = 100;
    int64_t max_file_bytes = 64LL << 20;  // one photo
    int64_t max_total_bytes = 1LL << 30;  // one request
};

class UploadSession final {
public:
    UploadSession(storage::ObjectStore& store, UploadLimits limits, std::string batch_id);
    ~UploadSession();  // abandons (deletes the staged objects) unless Finish succeeded
    UploadSession(const UploadSession&) = delete;
    UploadSession& operator=(const UploadSession&) = delete;

    const std::string& BatchId() const { return batch_id_; }

    // A file part: `field` must be "files" (or "files[]"); anything else is "Unexpected field".
    [[nodiscard]] absl::Status BeginFile(
        const std::string& field, std::string filename, std::string content_type);
    [[nodiscard]] absl::Status Write(std::string_view bytes);
    [[nodiscard]] absl::Status EndFile();
    // A text part. lastModifiedTimestamps in the four forms the original accepted (repeated
    // `lastModifiedTimestamps[]` or `lastModifiedTimestamps`, one comma-separated value, or
    // indexed `lastModifiedTimestamps[N]`); other fields are ignored. `value` is bounded by the
    // caller (the multipart parser's part limit).
    [[nodiscard]] absl::Status AddField(const std::string& name, std::string_view value);

    // Pairs the timestamps with the files (optional, but when given there must be one per file,
    // each an integer number of milliseconds) and returns the staged files in upload order.
    absl::StatusOr<std::vector<StagedFile>> Finish();

    // Deletes every staging object of this session (idempotent).
    void Abandon();

    int64_t TotalBytes() const { return total_bytes_; }

private:
    storage::ObjectStore& store_;  // owned by main, outlives the session
    const UploadLimits limits_;
    const std::string batch_id_;
    std::vector<StagedFile> files_;
    std::unique_ptr<storage::ObjectWriter> writer_;  // the file being received
    std::unique_ptr<core::Sha256> hash_;
    int64_t file_bytes_ = 0;
    int64_t total_bytes_ = 0;
    std::vector<std::pair<std::optional<std::size_t>, std::string>> timestamps_;  // (index, text)
    bool finished_ = false;
};

// "1700000000123" or "1.700000000123e12": a whole number of milliseconds; nullopt otherwise.
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace hatongsu::gateway
