#include "services/user/adapter/jwt/jwt_token_codec.h"

#include "hatongsu/core/clock.h"
#include "hatongsu/core/random.h"
#include "hatongsu/jwt/jwt.h"

namespace hatongsu::user::jwt {
namespace {

std::string StringClaim(const boost::json::object& claims, const char* name) {
    const auto* v = claims.if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

// Claims of a valid, unexpired token of `type` signed with `secret`.
absl::StatusOr<boost::json::object> Verified(
    std::string_view token,
    const std::string& secret,
    std::string_view type,
    std::chrono::system_clock::time_point now) {
    auto claims = hatongsu::jwt::VerifyHs256(token, secret);
    if (!claims.ok() || !hatongsu::jwt::CheckTimes(*claims, now, std::chrono::seconds(0)).ok() ||
        StringClaim(*claims, "type") != type || StringClaim(*claims, "sub").empty()) {
        return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    return claims;
}

}  // namespace

absl::StatusOr<std::string> JwtTokenCodec::IssueAccess(const User& user) {
    auto now = clock_.Now();
    return hatongsu::jwt::SignHs256(
        {{"sub", user.id},
         {"role", RoleName(user.role)},
         {"type", "access"},
         {"iat", core::EpochSeconds(now)},
         {"exp", core::EpochSeconds(now + settings_.access_ttl)}},
        settings_.access_secret);
}

absl::StatusOr<IssuedRefresh> JwtTokenCodec::IssueRefresh(const User& user) {
    auto now = clock_.Now();
    IssuedRefresh out;
    out.jti = core::RandomUuidV4();
    out.expires_at = now + settings_.refresh_ttl;
    auto token = hatongsu::jwt::SignHs256(
        {{"sub", user.id},
         {"role", RoleName(user.role)},
         {"type", "refresh"},
         {"jti", out.jti},
         {"iat", core::EpochSeconds(now)},
         {"exp", core::EpochSeconds(out.expires_at)}},
        settings_.refresh_secret);
    if (!token.ok()) {
        return token.status();
    }
    out.token = std::move(*token);
    return out;
}

absl::StatusOr<Principal> JwtTokenCodec::VerifyAccess(std::string_view token) {
    auto claims = Verified(token, settings_.access_secret, "access", clock_.Now());
    if (!claims.ok()) {
        return claims.status();
    }
    auto role = ParseRole(StringClaim(*claims, "role"));
    if (!role) {
        return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    return Principal{StringClaim(*claims, "sub"), *role};
}

absl::StatusOr<RefreshClaims> JwtTokenCodec::VerifyRefresh(std::string_view token) {
    auto claims = Verified(token, settings_.refresh_secret, "refresh", clock_.Now());
    if (!claims.ok()) {
        return claims.status();
    }
    std::string jti = StringClaim(*claims, "jti");
    if (jti.empty()) {
        return absl::UnauthenticatedError(
            "INVALID_TOKEN");  // issued by the original: not ours to rotate
    }
    return RefreshClaims{StringClaim(*claims, "sub"), std::move(jti)};
}

}  // namespace hatongsu::user::jwt
