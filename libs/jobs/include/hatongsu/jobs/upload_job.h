// The claim-check queue message of an upload (bytes stay in the store; the message names them):
//   {"pattern":"file_uploaded","data":{"batchId":"<uuid>","index":0,"stagingKey":"staging/...",
//    "filename":"사진 1.JPG","mimetype":"image/jpeg","size":123,"sha256":"<64 hex>",
//    "lastModifiedTimestamp":1700000000123}}
// The NestJS event envelope of the original (spec §5.2) with our fields; lastModifiedTimestamp is
// omitted when unknown. Decoding is strict (exact JSON types, bounded size and depth) and every
// error says which field is wrong. The original's envelope (data.buffer holding the bytes in
// base64) is recognised and refused with FailedPrecondition "LEGACY_ENVELOPE": the consumer
// dead-letters it with that reason (the bytes would have to be staged first; not supported).
// Shared by the gateway (encodes) and the album service (decodes). Pure functions, safe from any
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::jobs {

// One uploaded file waiting to be processed, as the gateway publishes it and the album worker
// reads it.
struct UploadJob {
    std::string batch_id;
    int index = 0;  // position in the upload, 0 .. kMaxFilesPerBatch-1
    std::string staging_key;
    std::string filename;
    std::string mime_type;  // as declared by the client (informational)
    int64_t size = 0;
    std::string sha256;  // lower-case hex, computed by the gateway while streaming
    std::optional<int64_t> last_modified_ms;
};

inline constexpr std::size_t kMaxFilesPerBatch = 100;

// Lower-case hex of 64 digits.
bool IsSha256Hex(std::string_view text);

inline constexpr std::size_t kMaxUploadMessageBytes = 16 * 1024;
inline constexpr std::string_view kUploadPattern = "file_uploaded";

std::string EncodeUploadJob(const UploadJob& job);
// InvalidArgument "<reason>" for malformed messages, FailedPrecondition "LEGACY_ENVELOPE" for the
// original's envelope.
absl::StatusOr<UploadJob> DecodeUploadJob(std::string_view body);

}  // namespace hatongsu::jobs
