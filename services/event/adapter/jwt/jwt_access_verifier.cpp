#include "services/event/adapter/jwt/jwt_access_verifier.h"

#include "hatongsu/jwt/jwt.h"

namespace hatongsu::event::jwt {

absl::StatusOr<Principal> JwtAccessVerifier::Verify(std::string_view token) {
    auto principal = hatongsu::jwt::VerifyAccessToken(token, secret_, clock_.Now());
    if (!principal.ok()) {
        return principal.status();
    }
    return Principal{std::move(principal->user_id), std::move(principal->role)};
}

}  // namespace hatongsu::event::jwt
