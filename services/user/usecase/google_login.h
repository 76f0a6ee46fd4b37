// Google sign-in (spec/api.md 4.5 with weak points 1 and 2 fixed): the account is the verified
// token's e-mail, never the request body's; new Google accounts get no password.
// Thread-safe. Errors: Unauthenticated INVALID_GOOGLE_TOKEN / GOOGLE_EMAIL_NOT_VERIFIED,
// AlreadyExists EMAIL_REGISTERED_WITH_PASSWORD, FailedPrecondition GOOGLE_LOGIN_DISABLED,
// Unavailable.
#pragma once

#include <string_view>

#include <absl/status/statusor.h>

#include "services/user/port/google_id_verifier.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/token_codec.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

// The identity of a valid token with a verified e-mail.
absl::StatusOr<GoogleIdentity> VerifiedGoogleIdentity(
    GoogleIdVerifier& verifier, std::string_view id_token);

class LoginGoogle final {
public:
    LoginGoogle(
        UserRepository& users,
        GoogleIdVerifier& verifier,
        TokenCodec& tokens,
        RefreshTokenRepository& refresh)
        : users_(users), verifier_(verifier), tokens_(tokens), refresh_(refresh) {}

    // `nickname_hint` is used for a new account when the token carries no name.
    absl::StatusOr<TokenPair> Execute(std::string_view id_token, std::string_view nickname_hint);

private:
    UserRepository& users_;  // owned by main, outlive this object
    GoogleIdVerifier& verifier_;
    TokenCodec& tokens_;
    RefreshTokenRepository& refresh_;
};

}  // namespace hatongsu::user
