// Parsing of "Authorization: Basic ..." (spec/api.md 4.1, with weak point 7 fixed: the password
// may contain ':' since the text is split at the first colon) and "Bearer ..." values. Pure.
#pragma once

#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::user {

struct Credentials {
    std::string email;  // as sent, not yet normalised
    std::string password;
};

// InvalidArgument "INVALID_CREDENTIALS" for a missing header, another scheme, or no colon.
absl::StatusOr<Credentials> ParseBasicCredentials(std::string_view header);

// The token of "Bearer <token>" (scheme case-insensitive, exactly one space).
// Unauthenticated "INVALID_TOKEN" otherwise.
absl::StatusOr<std::string> ParseBearer(std::string_view header);

}  // namespace hatongsu::user
