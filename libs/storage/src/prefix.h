// Internal to libs/storage: the rule for List prefixes, shared by the adapters.
#pragma once

#include <string_view>

#include <absl/status/status.h>

namespace hatongsu::storage::internal {

// A prefix follows the key rules except that it may be empty or end in '/' ("staging/").
// InvalidArgument otherwise.
[[nodiscard]] absl::Status ValidatePrefix(std::string_view prefix);

}  // namespace hatongsu::storage::internal
