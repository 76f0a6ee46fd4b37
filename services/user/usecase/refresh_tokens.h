// Trades a refresh token for a new pair. Each refresh token is spent once (rotation) and its
// successor joins the same family; presenting a spent one again revokes that family (it was stolen
// or replayed), the user's other sessions stay signed in. The role in the new access token is read
// from the database. Thread-safe.
// Errors: Unauthenticated INVALID_TOKEN / REFRESH_TOKEN_REUSED, Unavailable.
#pragma once

#include <string_view>

#include <absl/status/statusor.h>

#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/token_codec.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user {

class RefreshTokens final {
public:
    RefreshTokens(UserRepository& users, TokenCodec& tokens, RefreshTokenRepository& refresh)
        : users_(users), tokens_(tokens), refresh_(refresh) {}
    absl::StatusOr<TokenPair> Execute(std::string_view refresh_token);

private:
    UserRepository& users_;  // owned by main, outlive this object
    TokenCodec& tokens_;
    RefreshTokenRepository& refresh_;
};

}  // namespace hatongsu::user
