// First start: when no admin exists, makes one (weak point 33). An existing account with that
// e-mail is promoted; otherwise a password account is created with the given password.
// Errors: InvalidArgument (bad e-mail or password), Unavailable.
#pragma once

#include <string>

#include <absl/status/statusor.h>

#include "services/user/port/password_hasher.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

enum class BootstrapOutcome { kAdminExists, kPromoted, kCreated };

class BootstrapAdmin final {
public:
    BootstrapAdmin(UserRepository& users, PasswordHasher& hasher)
        : users_(users), hasher_(hasher) {}
    absl::StatusOr<BootstrapOutcome> Execute(const std::string& email, const std::string& password);

private:
    UserRepository& users_;  // owned by main, outlive this object
    PasswordHasher& hasher_;
};

}  // namespace hatongsu::user
