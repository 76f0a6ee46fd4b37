#include "services/user/usecase/refresh_tokens.h"

#include "hatongsu/core/status_macros.h"
#include "services/user/usecase/issue_tokens.h"

namespace hatongsu::user {

absl::StatusOr<TokenPair> RefreshTokens::Execute(std::string_view refresh_token) {
    CORE_ASSIGN_OR_RETURN(RefreshClaims claims, tokens_.VerifyRefresh(refresh_token));
    CORE_ASSIGN_OR_RETURN(SpendResult spent, refresh_.Spend(claims.jti));
    if (spent == SpendResult::kAlreadySpent) {
        CORE_RETURN_IF_ERROR(refresh_.RevokeAllOf(claims.sub));
        return absl::UnauthenticatedError("REFRESH_TOKEN_REUSED");
    }
    if (spent == SpendResult::kUnknown) {
        return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    auto user = users_.FindById(claims.sub);
    if (user.status().code() == absl::StatusCode::kNotFound) {
        return absl::UnauthenticatedError("INVALID_TOKEN");  // the account is gone
    }
    CORE_RETURN_IF_ERROR(user.status());
    return IssueTokens(*user, tokens_, refresh_);
}

}  // namespace hatongsu::user
