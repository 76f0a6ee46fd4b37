// Issued refresh tokens by id (jti), grouped in families: a login starts a family, each refresh
// spends the presented token and adds its successor to the same family. Presenting a spent token
// again (it was stolen or replayed) revokes that family only; the user's other families (other
// devices) stay signed in. PgRefreshTokenRepository and InMemoryRefreshTokenRepository implement
// it. Thread-safe. Errors: Unavailable (storage down), Internal.
#pragma once

#include <chrono>
#include <string>

#include <absl/status/statusor.h>

namespace hatongsu::user {

struct RefreshTokenRecord {
    std::string jti;
    std::string user_id;
    std::chrono::system_clock::time_point expires_at;
};

enum class RotateResult {
    kRotated,  // the old token is spent and the successor is stored in its family
    kReused,   // the old token was spent already or its family revoked: the family is revoked now
    kUnknown,  // no such live token for that user (never stored, expired or deleted)
};

class RefreshTokenRepository {
public:
    virtual ~RefreshTokenRepository() = default;
    // Stores the first token of a new family (a login).
    virtual absl::Status StartFamily(const RefreshTokenRecord& first) = 0;
    // All or nothing: spends `old_jti` of `successor.user_id` and stores `successor` in the same
    // family. Of concurrent calls with one old token exactly one gets kRotated; the others are
    // replays and revoke the family, the winner's successor included, whichever commits first: a
    // successor is never left live in a revoked family.
    virtual absl::StatusOr<RotateResult> Rotate(
        const std::string& old_jti, const RefreshTokenRecord& successor) = 0;
};

}  // namespace hatongsu::user
