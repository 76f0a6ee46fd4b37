// Password login: Basic credentials in, token pair out; an old-scheme hash is upgraded after a
// successful login. Two steps, so the caller can wait the throttle's delay without holding a
// thread: Admit (cheap, no I/O, no hashing) then Complete (lookup, hashing). Thread-safe.
// Errors: InvalidArgument INVALID_CREDENTIALS / INVALID_EMAIL, NotFound USER_NOT_FOUND,
// Unauthenticated INCORRECT_PASSWORD (also for accounts without a password), ResourceExhausted
// TOO_MANY_LOGIN_ATTEMPTS, Unavailable.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "hatongsu/core/clock.h"
#include "services/user/domain/credentials.h"
#include "services/user/domain/login_throttle.h"
#include "services/user/port/password_hasher.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/token_codec.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

// A login attempt the throttle let through.
struct LoginTicket {
    std::string account;  // the normalised e-mail: the lookup's key and the throttle's
    std::string password;
    std::string address;
    std::chrono::milliseconds delay{0};  // to wait before Complete
    // The throttle counts the attempt as in flight until the last copy of the ticket is gone.
    std::shared_ptr<void> in_flight;
};

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

    // Parses the credentials, refuses a malformed e-mail before any lookup, asks the throttle.
    absl::StatusOr<LoginTicket> Admit(
        std::string_view credentials_header, const std::string& client_address);
    // Looks the account up, checks the password and records the outcome with the throttle. Takes
    // the ticket over: the attempt stops counting as in flight when this returns, its outcome
    // recorded, so a caller's next attempt never meets its own previous one still in flight.
    absl::StatusOr<TokenPair> Complete(LoginTicket ticket);

private:
    UserRepository& users_;  // all owned by main, outlive this object
    PasswordHasher& hasher_;
    TokenCodec& tokens_;
    RefreshTokenRepository& refresh_;
    LoginThrottle& throttle_;
    core::Clock& clock_;
};

}  // namespace hatongsu::user
