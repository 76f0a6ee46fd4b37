// JSON Web Tokens on libjwt 1.10: HS256 signing and verification with the algorithm pinned, and
// RS256 verification against a JWKS key set. libjwt checks signatures only: the time claims are
// checked by CheckTimes, and every other claim (typ, aud, iss) by the caller.
// All functions are thread-safe; a KeySet is immutable after construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>
#include <boost/json/object.hpp>

namespace hatongsu::jwt {

// Compact HS256 token of `claims` (header {"alg":"HS256","typ":"JWT"}).
absl::StatusOr<std::string> SignHs256(const boost::json::object& claims, std::string_view secret);

// The claims of a token whose header says HS256 and whose signature matches `secret`.
// Unauthenticated for anything else (malformed, other alg including "none", bad signature).
absl::StatusOr<boost::json::object> VerifyHs256(std::string_view token, std::string_view secret);

// The claims of a compact token, decoded WITHOUT checking its signature: only for a token that
// its issuer has verified already (e.g. to read the exp of a token the user service accepted).
// InvalidArgument when the token is not three dot-separated parts with a JSON object payload.
absl::StatusOr<boost::json::object> UnverifiedClaims(std::string_view token);

// exp must lie in the future and nbf (if present) in the past, each give or take `leeway`; a token
// without a numeric exp is refused. Unauthenticated otherwise.
absl::Status CheckTimes(
    const boost::json::object& claims,
    std::chrono::system_clock::time_point now,
    std::chrono::seconds leeway);

// Who an access token of the user service speaks for.
struct AccessPrincipal {
    std::string user_id;  // the subject
    std::string role;     // "user" or "admin"
};

// The user service's access-token rules, which the gateway relies on and the event and world
// servers reuse: HS256 signed with `secret`, unexpired at `now` (no leeway), type "access", a
// subject and a known role. Unauthenticated "INVALID_TOKEN" for anything else, and for every token
// when `secret` is empty (nothing configured: nobody gets in).
absl::StatusOr<AccessPrincipal> VerifyAccessToken(
    std::string_view token, std::string_view secret, std::chrono::system_clock::time_point now);

// RSA public keys by key id, from a JWKS document ({"keys":[{"kty":"RSA","kid","n","e",...}]}).
class KeySet final {
public:
    static absl::StatusOr<KeySet> FromJwks(std::string_view jwks_json);

    // Claims of an RS256 token signed by one of the keys (chosen by the header's kid).
    absl::StatusOr<boost::json::object> VerifyRs256(std::string_view token) const;
    std::size_t Size() const { return pem_by_kid_.size(); }

private:
    std::map<std::string, std::string> pem_by_kid_;  // kid -> PEM public key
};

}  // namespace hatongsu::jwt
