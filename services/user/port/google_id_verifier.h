// Verification of Google ID tokens (JwksGoogleIdVerifier: RS256 against a JWKS, iss/aud/exp
// checked, spec/api.md 4.5). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::user {

struct GoogleIdentity {
    std::string email;
    bool email_verified = false;
    std::string name;
    std::optional<std::string> picture;
};

class GoogleIdVerifier {
public:
    virtual ~GoogleIdVerifier() = default;
    // Unauthenticated "INVALID_GOOGLE_TOKEN" for a bad token; FailedPrecondition
    // "GOOGLE_LOGIN_DISABLED" when no client id is configured; Unavailable when keys can't be had.
    virtual absl::StatusOr<GoogleIdentity> Verify(std::string_view id_token) = 0;
};

}  // namespace hatongsu::user
