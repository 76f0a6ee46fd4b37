// Port: the authorization hook of route B (spec §1.4) when WORLD_REQUIRE_AUTH is on: checks the
// client's Authorization value as an access token of the user service. Thread-safe.
// Unauthenticated for a token that is malformed, badly signed, expired or not an access token.
#pragma once

#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::world {

class AccessVerifier {
public:
    virtual ~AccessVerifier() = default;
    // The user id the token speaks for.
    virtual absl::StatusOr<std::string> Verify(std::string_view token) = 0;
};

}  // namespace hatongsu::world
