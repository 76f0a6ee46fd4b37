// Password login: Basic credentials in, token pair out, failures throttled per account and per
// client address; an old-scheme hash is upgraded after a successful login. Thread-safe.
// Errors: InvalidArgument INVALID_CREDENTIALS, NotFound USER_NOT_FOUND, Unauthenticated
// INCORRECT_PASSWORD (also for accounts without a password), ResourceExhausted
// TOO_MANY_LOGIN_ATTEMPTS, Unavailable.
#pragma once

#include <string_view>

#include <absl/status/statusor.h>

#include "hatongsu/core/clock.h"
#include "services/user/domain/login_throttle.h"
#include "services/user/port/password_hasher.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/token_codec.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

class LoginUser final {
public:
    LoginUser(
        UserRepository& users,
        PasswordHasher& hasher,
        TokenCodec& tokens,
        RefreshTokenRepository& refresh,
        LoginThrottle& throttle,
        core::Clock& clock)
        : users_(users),
          hasher_(hasher),
          tokens_(tokens),
          refresh_(refresh),
          throttle_(throttle),
          clock_(clock) {}

    absl::StatusOr<TokenPair> Execute(
        std::string_view credentials_header, const std::string& client_address);

private:
    UserRepository& users_;  // all owned by main, outlive this object
    PasswordHasher& hasher_;
    TokenCodec& tokens_;
    RefreshTokenRepository& refresh_;
    LoginThrottle& throttle_;
    core::Clock& clock_;
};

}  // namespace hatongsu::user
