// Creates a password account from Basic credentials, at most so many attempts per client address
// and window. Thread-safe.
// Errors: InvalidArgument INVALID_CREDENTIALS / INVALID_EMAIL / INVALID_PASSWORD /
// INVALID_NICKNAME, ResourceExhausted TOO_MANY_REGISTRATION_ATTEMPTS, AlreadyExists
// EMAIL_ALREADY_EXISTS, Unavailable (storage down).
#pragma once

#include <string>
#include <string_view>

#include <absl/status/status.h>

#include "hatongsu/core/clock.h"
#include "services/user/domain/address_rate_limit.h"
#include "services/user/port/password_hasher.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

class RegisterUser final {
public:
    RegisterUser(
        UserRepository& users, PasswordHasher& hasher, AddressRateLimit& limit, core::Clock& clock)
        : users_(users), hasher_(hasher), limit_(limit), clock_(clock) {}
    // Well-formed attempts count against `client_address`, whatever their outcome (a taken
    // e-mail too, so the limit also slows probing which addresses have accounts).
    [[nodiscard]] absl::Status Execute(
        std::string_view credentials_header,
        std::string_view nickname,
        const std::string& client_address);

private:
    UserRepository& users_;  // all owned by main, outlive this object
    PasswordHasher& hasher_;
    AddressRateLimit& limit_;
    core::Clock& clock_;
};

}  // namespace hatongsu::user
