// The upload batch a gateway is about to publish (every file queued) and its per-file progress
// (GET /file/uploads/{batchId}). Stateless, thread-safe.
// Errors: InvalidArgument (malformed batch id or file), NotFound "BATCH_NOT_FOUND", Unavailable.
#pragma once

#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "services/album/port/upload_batch_repository.h"

namespace hatongsu::album {

inline constexpr std::size_t kMaxFilenameBytes = 1024;

// Creating a batch that already exists succeeds (the gateway may retry a call that timed out).
class CreateUploadBatch final {
public:
    explicit CreateUploadBatch(UploadBatchRepository& batches) : batches_(batches) {}
    absl::Status Execute(const std::string& batch_id, const std::vector<NewUploadFile>& files);

private:
    UploadBatchRepository& batches_;  // owned by main, outlives this object
};

class GetUploadBatch final {
public:
    explicit GetUploadBatch(UploadBatchRepository& batches) : batches_(batches) {}
    absl::StatusOr<UploadBatch> Execute(const std::string& batch_id);

private:
    UploadBatchRepository& batches_;
};


}  // namespace hatongsu::album
