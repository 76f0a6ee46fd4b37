#include "services/album/usecase/upload_batches.h"

#include "hatongsu/core/text.h"
#include "hatongsu/storage/object_store.h"

namespace hatongsu::album {

absl::Status CreateUploadBatch::Execute(
    const std::string& batch_id, const std::vector<NewUploadFile>& files) {
    if (!core::IsUuid(batch_id)) {
        return absl::InvalidArgumentError("INVALID_BATCH_ID");
    }
    if (files.size() > kMaxFilesPerBatch) {
        return absl::InvalidArgumentError("TOO_MANY_FILES");
    }
    for (const NewUploadFile& f : files) {
        if (!storage::ValidateKey(f.staging_key).ok()) {
            return absl::InvalidArgumentError("INVALID_STAGING_KEY");
        }
        if (f.filename.size() > kMaxFilenameBytes || !core::IsValidUtf8(f.filename) ||
            core::HasControlCharacters(f.filename)) {
            return absl::InvalidArgumentError("INVALID_FILENAME");
        }
        if (f.mime_type.size() > 255 || core::HasControlCharacters(f.mime_type)) {
            return absl::InvalidArgumentError("INVALID_MIME_TYPE");
        }
        if (f.size < 0) {
            return absl::InvalidArgumentError("INVALID_SIZE");
        }
        if (!jobs::IsSha256Hex(f.sha256)) {
            return absl::InvalidArgumentError("INVALID_SHA256");
        }
    }
    absl::Status s = batches_.Create(core::AsciiLower(batch_id), files);
    if (s.code() == absl::StatusCode::kAlreadyExists) {
        return absl::OkStatus();
    }
    return s;
}

absl::StatusOr<UploadBatch> GetUploadBatch::Execute(const std::string& batch_id) {
    if (!core::IsUuid(batch_id)) {
        return absl::InvalidArgumentError("INVALID_BATCH_ID");
    }
    return batches_.Get(core::AsciiLower(batch_id));
}

}  // namespace hatongsu::album
