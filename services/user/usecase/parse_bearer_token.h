// "Bearer <access token>" -> who the caller is (spec/api.md 2.2.3). No database lookup.
// Errors: Unauthenticated INVALID_TOKEN for anything else, refresh tokens included.
#pragma once

#include <string_view>

#include <absl/status/statusor.h>

#include "services/user/port/token_codec.h"

namespace hatongsu::user {

absl::StatusOr<Principal> ParseBearerToken(TokenCodec& tokens, std::string_view authorization);

}  // namespace hatongsu::user
