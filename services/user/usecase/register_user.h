// Creates a password account from Basic credentials. Stateless: safe from many threads.
// Errors: InvalidArgument INVALID_CREDENTIALS / INVALID_EMAIL / INVALID_PASSWORD /
// INVALID_NICKNAME, AlreadyExists EMAIL_ALREADY_EXISTS, Unavailable (storage down).
#pragma once

#include <string_view>

#include <absl/status/status.h>

#include "services/user/port/password_hasher.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

class RegisterUser final {
public:
    RegisterUser(UserRepository& users, PasswordHasher& hasher) : users_(users), hasher_(hasher) {}
    [[nodiscard]] absl::Status Execute(
        std::string_view credentials_header, std::string_view nickname);

private:
    UserRepository& users_;  // owned by main, outlives this object
    PasswordHasher& hasher_;
};

}  // namespace hatongsu::user
