#include "hatongsu/storage/object_store.h"

namespace hatongsu::storage {

namespace {

constexpr std::size_t kMaxKeyBytes = 512;

bool IsKeyCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

}  // namespace

absl::Status ValidateKey(std::string_view key) {
    if (key.empty() || key.size() > kMaxKeyBytes) {
        return absl::InvalidArgumentError("object key must be 1-512 bytes");
    }
    std::size_t segment_start = 0;
    for (std::size_t i = 0; i <= key.size(); ++i) {
        if (i == key.size() || key[i] == '/') {
            std::string_view segment = key.substr(segment_start, i - segment_start);
            if (segment.empty() || segment == "." || segment == "..") {
                return absl::InvalidArgumentError("object key has an empty, '.' or '..' segment");
            }
            segment_start = i + 1;
        } else if (!IsKeyCharacter(key[i])) {
            return absl::InvalidArgumentError(
                "object key may only hold letters, digits, '.', '_', '-' and '/'");
        }
    }
    return absl::OkStatus();
}

}  // namespace hatongsu::storage
