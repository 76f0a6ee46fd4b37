// Issuing and checking our own access and refresh tokens (JwtTokenCodec: HS256 with separate
// secrets and lifetimes, spec/api.md 4.3). Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "services/user/domain/user.h"

namespace hatongsu::user {

struct IssuedRefresh {
    std::string token;
    std::string jti;
    std::chrono::system_clock::time_point expires_at;
};

struct RefreshClaims {
    std::string sub;
    std::string jti;
};

class TokenCodec {
public:
    virtual ~TokenCodec() = default;
    virtual absl::StatusOr<std::string> IssueAccess(const User& user) = 0;
    virtual absl::StatusOr<IssuedRefresh> IssueRefresh(const User& user) = 0;
    // Unauthenticated "INVALID_TOKEN" for anything but a valid, unexpired token of that type.
    virtual absl::StatusOr<Principal> VerifyAccess(std::string_view token) = 0;
    virtual absl::StatusOr<RefreshClaims> VerifyRefresh(std::string_view token) = 0;
};

}  // namespace hatongsu::user
