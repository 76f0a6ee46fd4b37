// Reading small files whole (secrets, PEM certificates, key sets). Safe from any thread.
#pragma once

#include <string>

#include <absl/status/statusor.h>

namespace hatongsu::core {

// The file's bytes; NotFound when it cannot be opened, Internal on a read error. Meant for
// configuration-sized files: the whole content is held in memory.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace hatongsu::core
