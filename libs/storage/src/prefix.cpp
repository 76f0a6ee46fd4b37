#include "libs/storage/src/prefix.h"

#include "hatongsu/storage/object_store.h"

namespace hatongsu::storage::internal {

absl::Status ValidatePrefix(std::string_view prefix) {
    if (prefix.empty()) {
        return absl::OkStatus();
    }
    if (prefix.back() == '/') {
        prefix.remove_suffix(1);
    }
    if (!ValidateKey(prefix).ok()) {
        return absl::InvalidArgumentError("bad key prefix");
    }
    return absl::OkStatus();
}

}  // namespace hatongsu::storage::internal
