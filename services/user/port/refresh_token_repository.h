// Issued refresh tokens by id (jti), so that each one is spent once (rotation) and a replayed one
// revokes the whole family. PgRefreshTokenRepository and InMemoryRefreshTokenRepository implement
// it.
#pragma once

#include <chrono>
#include <string>

#include <absl/status/statusor.h>

namespace hatongsu::user {

enum class SpendResult { kSpent, kUnknown, kAlreadySpent };

class RefreshTokenRepository {
public:
    virtual ~RefreshTokenRepository() = default;
    virtual absl::Status Save(
        const std::string& jti,
        const std::string& user_id,
        std::chrono::system_clock::time_point expires_at) = 0;
    // Marks the token spent, atomically: of two concurrent calls only one gets kSpent.
    virtual absl::StatusOr<SpendResult> Spend(const std::string& jti) = 0;
    virtual absl::Status RevokeAllOf(const std::string& user_id) = 0;
};

}  // namespace hatongsu::user
