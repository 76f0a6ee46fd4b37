// One account by id. Errors: NotFound USER_NOT_FOUND (also for ids that are not UUIDs),
// Unavailable.
#pragma once

#include <string>

#include <absl/status/statusor.h>

#include "services/user/port/user_repository.h"

namespace hatongsu::user {

absl::StatusOr<User> GetUserInfo(UserRepository& users, const std::string& user_id);

}  // namespace hatongsu::user
