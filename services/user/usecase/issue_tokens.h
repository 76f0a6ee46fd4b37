// The token pair handed out by every successful login: the refresh token starts a new family
// (RefreshTokens rotates within it). Errors: those of the codec and the repository.
#pragma once

#include <absl/status/statusor.h>

#include "services/user/domain/user.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/token_codec.h"

namespace hatongsu::user {

absl::StatusOr<TokenPair> IssueTokens(
    const User& user, TokenCodec& tokens, RefreshTokenRepository& refresh);

}  // namespace hatongsu::user
