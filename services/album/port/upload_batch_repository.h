// Per-file progress of upload batches (tables upload_batch, upload_file), written by the worker
// and read for GET /file/uploads/{batchId}. PgUploadBatchRepository and
// InMemoryUploadBatchRepository implement it. Thread-safe. Errors: Unavailable, Internal.
//
// A file moves queued -> processing -> done | duplicate | failed. The first move to processing
// assigns the image id the file's objects and row will have; a re-delivered job finds it again
// (same keys overwritten, never a second row). done/duplicate/failed are final.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

#include "hatongsu/jobs/upload_job.h"

namespace hatongsu::album {

enum class UploadStatus { kQueued, kProcessing, kDone, kDuplicate, kFailed };
inline constexpr std::string_view kUploadStatusNames[] = {
    "queued", "processing", "done", "duplicate", "failed"};
inline std::string_view UploadStatusName(UploadStatus status) {
    return kUploadStatusNames[static_cast<int>(status)];
}
inline std::optional<UploadStatus> ParseUploadStatus(std::string_view name) {
    for (int i = 0; i < 5; ++i) {
        if (kUploadStatusNames[i] == name) {
            return static_cast<UploadStatus>(i);
        }
    }
    return std::nullopt;
}
inline bool IsFinal(UploadStatus s) {
    return s == UploadStatus::kDone || s == UploadStatus::kDuplicate || s == UploadStatus::kFailed;
}

struct NewUploadFile {
    std::string staging_key;
    std::string filename;
    std::string mime_type;
    int64_t size = 0;
    std::string sha256;
    std::optional<int64_t> last_modified_ms;
};

struct UploadFileRecord {
    int index = 0;
    NewUploadFile file;
    UploadStatus status = UploadStatus::kQueued;
    std::string image_id;  // processing/done: the image; duplicate: the existing image
    std::string reason;    // failed
};

struct UploadBatch {
    std::string id;
    std::vector<UploadFileRecord> files;  // by index
};

using jobs::kMaxFilesPerBatch;

class UploadBatchRepository {
public:
    virtual ~UploadBatchRepository() = default;
    // Every file queued, index = position. AlreadyExists when the batch id is taken.
    virtual absl::Status Create(
        const std::string& batch_id, const std::vector<NewUploadFile>& files) = 0;
    virtual absl::StatusOr<UploadBatch> Get(const std::string& batch_id) = 0;  // NotFound
    // queued -> processing with `new_image_id`; processing stays processing with the image id it
    // already has; a final file is returned as it is. NotFound when there is no such file.
    virtual absl::StatusOr<UploadFileRecord> StartProcessing(
        const std::string& batch_id, int index, const std::string& new_image_id) = 0;
    // Final transitions (from queued or processing; a final file is left as it is).
    virtual absl::Status MarkDone(
        const std::string& batch_id, int index, const std::string& image_id) = 0;
    virtual absl::Status MarkDuplicate(
        const std::string& batch_id, int index, const std::string& existing_image_id) = 0;
    virtual absl::Status MarkFailed(
        const std::string& batch_id, int index, const std::string& reason) = 0;
};

}  // namespace hatongsu::album
