#include "services/user/usecase/refresh_tokens.h"

#include "hatongsu/core/status_macros.h"
#include "hatongsu/core/text.h"

namespace hatongsu::user {

absl::StatusOr<TokenPair> RefreshTokens::Execute(std::string_view refresh_token) {
    CORE_ASSIGN_OR_RETURN(RefreshClaims claims, tokens_.VerifyRefresh(refresh_token));
    if (!core::IsUuid(claims.sub) || !core::IsUuid(claims.jti)) {
        return absl::UnauthenticatedError("INVALID_TOKEN");  // never ours, even if signed
    }
    auto user = users_.FindById(claims.sub);
    if (user.status().code() == absl::StatusCode::kNotFound) {
        return absl::UnauthenticatedError("INVALID_TOKEN");  // the account is gone
    }
    CORE_RETURN_IF_ERROR(user.status());
    CORE_ASSIGN_OR_RETURN(IssuedRefresh next, tokens_.IssueRefresh(*user));
    CORE_ASSIGN_OR_RETURN(
        RotateResult rotated,
        refresh_.Rotate(
            claims.jti, {.jti = next.jti, .user_id = user->id, .expires_at = next.expires_at}));
    switch (rotated) {
        case RotateResult::kRotated:
            break;
        case RotateResult::kReused:
            return absl::UnauthenticatedError("REFRESH_TOKEN_REUSED");
        case RotateResult::kUnknown:
            return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    CORE_ASSIGN_OR_RETURN(std::string access, tokens_.IssueAccess(*user));
    return TokenPair{std::move(access), std::move(next.token)};
}

}  // namespace hatongsu::user
