#include "services/event/adapter/jwt/jwt_access_verifier.h"

#include "hatongsu/jwt/jwt.h"

namespace hatongsu::event::jwt {
namespace {

std::string StringClaim(const boost::json::object& claims, const char* name) {
    const auto* v = claims.if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

}  // namespace

absl::StatusOr<Principal> JwtAccessVerifier::Verify(std::string_view token) {
    if (secret_.empty()) {
        return absl::UnauthenticatedError("INVALID_TOKEN");  // no secret configured: nobody
    }
    auto claims = hatongsu::jwt::VerifyHs256(token, secret_);
    if (!claims.ok() ||
        !hatongsu::jwt::CheckTimes(*claims, clock_.Now(), std::chrono::seconds(0)).ok() ||
        StringClaim(*claims, "type") != "access" || StringClaim(*claims, "sub").empty()) {
        return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    std::string role = StringClaim(*claims, "role");
    if (role != "user" && role != "admin") {
        return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    return Principal{StringClaim(*claims, "sub"), role};
}

}  // namespace hatongsu::event::jwt
