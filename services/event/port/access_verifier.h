// Port: checks an access token as the gateway does (same secret, same rules). Thread-safe.
// Unauthenticated for a token that is malformed, badly signed, expired or not an access token.
#pragma once

#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::event {

struct Principal {
    std::string user_id;
    std::string role;  // "user" or "admin"
};

class AccessVerifier {
public:
    virtual ~AccessVerifier() = default;
    virtual absl::StatusOr<Principal> Verify(std::string_view token) = 0;
};

}  // namespace hatongsu::event
