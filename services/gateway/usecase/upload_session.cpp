#include "services/gateway/usecase/upload_session.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"

namespace hatongsu::gateway {
namespace {

constexpr std::string_view kTimestamps = "lastModifiedTimestamps";

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::optional<int64_t> ParseTimestamp(std::string_view text) {
    text = Trim(text);
    if (text.empty() || text.size() > 32) {
        return std::nullopt;
    }
    bool plain = std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    if (plain && text.size() > (text[0] == '-' ? 1u : 0u) && text.size() <= 16) {
        return std::stoll(std::string(text));
    }
    // Exponent or fraction forms, as JSON numbers allow; must still be a whole millisecond.
    std::string s(text);
    char* end = nullptr;
    double value = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(value) || std::trunc(value) != value ||
        std::fabs(value) > 9.0e15 || s.find_first_of("xXnN") != std::string::npos) {
        return std::nullopt;
    }
    return static_cast<int64_t>(value);
}

UploadSession::UploadSession(storage::ObjectStore& store, UploadLimits limits, std::string batch_id)
    : store_(store), limits_(limits), batch_id_(std::move(batch_id)) {}

UploadSession::~UploadSession() {
    if (!finished_) {
        Abandon();
    }
}

absl::Status UploadSession::BeginFile(
    const std::string& field, std::string filename, std::string content_type) {
    if (writer_) {
        return absl::FailedPreconditionError("a file is already open");
    }
    if (field != "files" && field != "files[]") {
        return absl::InvalidArgumentError("Unexpected field");
    }
    if (static_cast<int>(files_.size()) >= limits_.max_files) {
        return absl::ResourceExhaustedError("TOO_MANY_FILES");
    }
    // The key never holds anything of the client's: batch, position and randomness only.
    std::string key = "staging/" + batch_id_ + "/" + std::to_string(files_.size()) + "-" +
                      core::RandomToken(8) + ".upload";
    auto writer = store_.Create(key, {.content_type = "application/octet-stream"});
    if (!writer.ok()) {
        return writer.status();
    }
    writer_ = std::move(*writer);
    hash_ = std::make_unique<core::Sha256>();
    file_bytes_ = 0;
    StagedFile f;
    f.staging_key = std::move(key);
    f.filename = filename.empty() ? "unnamed" : std::move(filename);
    f.mime_type = content_type.empty() ? "application/octet-stream" : std::move(content_type);
    files_.push_back(std::move(f));
    return absl::OkStatus();
}

absl::Status UploadSession::Write(std::string_view bytes) {
    if (!writer_) {
        return absl::FailedPreconditionError("no file is open");
    }
    file_bytes_ += static_cast<int64_t>(bytes.size());
    total_bytes_ += static_cast<int64_t>(bytes.size());
    if (file_bytes_ > limits_.max_file_bytes) {
        return absl::ResourceExhaustedError("FILE_TOO_LARGE");
    }
    if (total_bytes_ > limits_.max_total_bytes) {
        return absl::ResourceExhaustedError("UPLOAD_TOO_LARGE");
    }
    hash_->Update(bytes);
    return writer_->Write(bytes);
}

absl::Status UploadSession::EndFile() {
    if (!writer_) {
        return absl::FailedPreconditionError("no file is open");
    }
    absl::Status s = writer_->Commit();
    writer_.reset();
    if (!s.ok()) {
        files_.pop_back();  // nothing was stored under its key
        return s;
    }
    files_.back().size = file_bytes_;
    files_.back().sha256 = hash_->HexDigest();
    hash_.reset();
    return absl::OkStatus();
}

absl::Status UploadSession::AddField(const std::string& name, std::string_view value) {
    if (!name.starts_with(kTimestamps)) {
        return absl::OkStatus();  // unknown text fields are ignored, as the original did
    }
    std::string_view rest = std::string_view(name).substr(kTimestamps.size());
    std::optional<std::size_t> index;
    if (rest.size() > 2 && rest.front() == '[' && rest.back() == ']') {
        std::string_view digits = rest.substr(1, rest.size() - 2);
        if (digits.size() > 4 || !std::all_of(digits.begin(), digits.end(), [](char c) {
                return c >= '0' && c <= '9';
            })) {
            return absl::InvalidArgumentError("Unexpected field");
        }
        index = static_cast<std::size_t>(std::stoul(std::string(digits)));
    } else if (!rest.empty() && rest != "[]") {
        return absl::OkStatus();  // some other field that happens to share the prefix
    }
    // One part may hold a comma-separated list.
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t comma = value.find(',', start);
        std::string_view item = value.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (timestamps_.size() >= static_cast<std::size_t>(limits_.max_files) * 2) {
            return absl::InvalidArgumentError("too many lastModifiedTimestamps values");
        }
        timestamps_.emplace_back(index, std::string(item));
        if (index) {
            ++*index;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return absl::OkStatus();
}

absl::StatusOr<std::vector<StagedFile>> UploadSession::Finish() {
    if (writer_) {
        return absl::InvalidArgumentError("the body ended inside a file");
    }
    // Indexed values take their index; the others fill positions in arrival order.
    std::map<std::size_t, std::string> by_index;
    std::size_t next = 0;
    for (auto& [index, text] : timestamps_) {
        std::size_t at = index ? *index : next++;
        by_index[at] = text;
    }
    for (const auto& [at, text] : by_index) {
        auto ms = ParseTimestamp(text);
        if (!ms) {
            return absl::InvalidArgumentError("[" + std::to_string(at) + "] item must be a number");
        }
        if (at >= files_.size()) {
            return absl::InvalidArgumentError(
                "lastModifiedTimestamps has more values than there are files");
        }
        files_[at].last_modified_ms = *ms;
    }
    if (!by_index.empty() && by_index.size() != files_.size()) {
        return absl::InvalidArgumentError(
            "lastModifiedTimestamps must hold one value per file (or none)");
    }
    finished_ = true;
    return files_;
}

void UploadSession::Abandon() {
    if (writer_) {
        writer_->Abort();
        writer_.reset();
        files_.pop_back();  // its object was never committed
    }
    for (const StagedFile& f : files_) {
        // Best effort: a leftover is removed by the staging sweep (it only holds staging/).
        (void)store_.Delete(f.staging_key);
    }
    files_.clear();
    finished_ = true;
}

}  // namespace hatongsu::gateway
