// First start: when no admin exists, makes one (weak point 33): a password account with the given
// e-mail and password. An account that already holds that e-mail is never promoted (anyone could
// have registered it to become admin): FailedPrecondition, and the operator decides (promote it by
// hand, or choose another admin e-mail).
// Errors: InvalidArgument (bad e-mail or password), FailedPrecondition (see above), Unavailable.
#pragma once

#include <string>

#include <absl/status/statusor.h>

#include "services/user/port/password_hasher.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

enum class BootstrapOutcome { kAdminExists, kCreated };

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
