#include "services/world/adapter/jwt/jwt_access_verifier.h"

#include "hatongsu/jwt/jwt.h"

namespace hatongsu::world::jwt {

absl::StatusOr<std::string> JwtAccessVerifier::Verify(std::string_view token) {
    auto principal = hatongsu::jwt::VerifyAccessToken(token, secret_, clock_.Now());
    if (!principal.ok()) {
        return principal.status();
    }
    return std::move(principal->user_id);
}

}  // namespace hatongsu::world::jwt
