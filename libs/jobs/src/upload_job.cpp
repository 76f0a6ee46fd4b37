#include "hatongsu/jobs/upload_job.h"

#include <limits>

#include <boost/json.hpp>

#include "hatongsu/core/text.h"

namespace hatongsu::jobs {

bool IsSha256Hex(std::string_view text) {
    if (text.size() != 64) {
        return false;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

namespace {

namespace json = boost::json;

absl::Status Bad(std::string message) {
    return absl::InvalidArgumentError(std::move(message));
}

absl::StatusOr<std::string> String(const json::object& o, std::string_view key, std::size_t max) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return Bad("data." + std::string(key) + " must be a string");
    }
    const json::string& s = v->get_string();
    if (s.size() > max) {
        return Bad("data." + std::string(key) + " is too long");
    }
    return std::string(s.data(), s.size());
}

absl::StatusOr<int64_t> Integer(
    const json::object& o, std::string_view key, int64_t min, int64_t max) {
    const json::value* v = o.if_contains(key);
    int64_t n = 0;
    if (v != nullptr && v->is_int64()) {
        n = v->get_int64();
    } else if (v != nullptr && v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(max)) {
        n = static_cast<int64_t>(v->get_uint64());
    } else {
        return Bad("data." + std::string(key) + " must be an integer");
    }
    if (n < min || n > max) {
        return Bad("data." + std::string(key) + " is out of range");
    }
    return n;
}

}  // namespace

std::string EncodeUploadJob(const UploadJob& job) {
    json::object data;
    data["batchId"] = job.batch_id;
    data["index"] = job.index;
    data["stagingKey"] = job.staging_key;
    data["filename"] = job.filename;
    data["mimetype"] = job.mime_type;
    data["size"] = job.size;
    data["sha256"] = job.sha256;
    if (job.last_modified_ms) {
        data["lastModifiedTimestamp"] = *job.last_modified_ms;
    }
    json::object root;
    root["pattern"] = kUploadPattern;
    root["data"] = std::move(data);
    return json::serialize(root);
}

absl::StatusOr<UploadJob> DecodeUploadJob(std::string_view body) {
    if (body.size() > kMaxUploadMessageBytes) {
        return Bad("message is larger than " + std::to_string(kMaxUploadMessageBytes) + " bytes");
    }
    json::parse_options options;
    options.max_depth = 8;
    boost::system::error_code ec;
    json::value root = json::parse(body, ec, {}, options);
    if (ec) {
        return Bad("message is not JSON: " + ec.message());
    }
    if (!root.is_object()) {
        return Bad("message must be a JSON object");
    }
    const json::object& envelope = root.get_object();
    const json::value* pattern = envelope.if_contains("pattern");
    if (pattern == nullptr || !pattern->is_string() || pattern->get_string() != kUploadPattern) {
        return Bad("pattern must be \"file_uploaded\"");
    }
    const json::value* data_value = envelope.if_contains("data");
    if (data_value == nullptr || !data_value->is_object()) {
        return Bad("data must be an object");
    }
    const json::object& data = data_value->get_object();
    if (data.contains("buffer")) {
        return absl::FailedPreconditionError("LEGACY_ENVELOPE");
    }
    UploadJob job;
    auto batch = String(data, "batchId", 36);
    if (!batch.ok()) {
        return batch.status();
    }
    if (!core::IsUuid(*batch)) {
        return Bad("data.batchId must be a UUID");
    }
    job.batch_id = core::AsciiLower(*batch);
    auto index = Integer(data, "index", 0, static_cast<int64_t>(kMaxFilesPerBatch) - 1);
    if (!index.ok()) {
        return index.status();
    }
    job.index = static_cast<int>(*index);
    auto staging = String(data, "stagingKey", 512);
    if (!staging.ok()) {
        return staging.status();
    }
    job.staging_key = *std::move(staging);
    auto filename = String(data, "filename", 1024);
    if (!filename.ok()) {
        return filename.status();
    }
    if (!core::IsValidUtf8(*filename) || core::HasControlCharacters(*filename)) {
        return Bad("data.filename must be UTF-8 without control characters");
    }
    job.filename = *std::move(filename);
    auto mime = String(data, "mimetype", 255);
    if (!mime.ok()) {
        return mime.status();
    }
    job.mime_type = *std::move(mime);
    auto size = Integer(data, "size", 0, std::numeric_limits<int64_t>::max());
    if (!size.ok()) {
        return size.status();
    }
    job.size = *size;
    auto sha = String(data, "sha256", 64);
    if (!sha.ok()) {
        return sha.status();
    }
    if (!IsSha256Hex(*sha)) {
        return Bad("data.sha256 must be 64 lower-case hex digits");
    }
    job.sha256 = *std::move(sha);
    if (const json::value* lm = data.if_contains("lastModifiedTimestamp");
        lm != nullptr && !lm->is_null()) {
        auto ms =
            Integer(data, "lastModifiedTimestamp", -8'640'000'000'000'000, 8'640'000'000'000'000);
        if (!ms.ok()) {
            return ms.status();
        }
        job.last_modified_ms = *ms;
    }
    return job;
}

}  // namespace hatongsu::jobs
