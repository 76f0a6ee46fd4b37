// TokenCodec on HS256 JWTs (spec/api.md 4.3): claims sub, role, type ("access"/"refresh"), iat,
// exp, and jti on refresh tokens; access and refresh tokens use separate secrets and lifetimes
// and are not interchangeable. Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "hatongsu/core/clock.h"
#include "services/user/port/token_codec.h"

namespace hatongsu::user::jwt {

struct TokenSettings {
    std::string access_secret;
    std::string refresh_secret;
    std::chrono::seconds access_ttl{15 * 60};
    std::chrono::seconds refresh_ttl{30 * 24 * 3600};
};

class JwtTokenCodec final : public TokenCodec {
public:
    JwtTokenCodec(TokenSettings settings, core::Clock& clock)
        : settings_(std::move(settings)), clock_(clock) {}
    absl::StatusOr<std::string> IssueAccess(const User& user) override;
    absl::StatusOr<IssuedRefresh> IssueRefresh(const User& user) override;
    absl::StatusOr<Principal> VerifyAccess(std::string_view token) override;
    absl::StatusOr<RefreshClaims> VerifyRefresh(std::string_view token) override;

private:
    const TokenSettings settings_;
    core::Clock& clock_;  // owned by main, outlives this object
};

}  // namespace hatongsu::user::jwt
