// AccessVerifier on libs/jwt: an HS256 access token signed with ACCESS_TOKEN_SECRET, unexpired,
// with type "access", a subject and a known role: the rules of the user service's token codec,
// which the gateway relies on. Thread-safe.
#pragma once

#include <string>

#include "hatongsu/core/clock.h"
#include "services/event/port/access_verifier.h"

namespace hatongsu::event::jwt {

class JwtAccessVerifier final : public AccessVerifier {
public:
    // `clock` is owned by main and outlives this object.
    JwtAccessVerifier(std::string secret, core::Clock& clock)
        : secret_(std::move(secret)), clock_(clock) {}
    absl::StatusOr<Principal> Verify(std::string_view token) override;

private:
    const std::string secret_;
    core::Clock& clock_;
};

}  // namespace hatongsu::event::jwt
