// AccessVerifier on libs/jwt: the user service's access-token rules (jwt::VerifyAccessToken:
// HS256 with ACCESS_TOKEN_SECRET, unexpired, type "access", a subject and a known role), as the
// event server checks its join tokens. Thread-safe.
#pragma once

#include <string>

#include "hatongsu/core/clock.h"
#include "services/world/port/access_verifier.h"

namespace hatongsu::world::jwt {

class JwtAccessVerifier final : public AccessVerifier {
public:
    // `clock` is owned by main and outlives this object.
    JwtAccessVerifier(std::string secret, core::Clock& clock)
        : secret_(std::move(secret)), clock_(clock) {}
    absl::StatusOr<std::string> Verify(std::string_view token) override;

private:
    const std::string secret_;
    core::Clock& clock_;
};

}  // namespace hatongsu::world::jwt
