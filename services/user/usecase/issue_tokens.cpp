#include "services/user/usecase/issue_tokens.h"

#include "hatongsu/core/status_macros.h"

namespace hatongsu::user {

absl::StatusOr<TokenPair> IssueTokens(
    const User& user, TokenCodec& tokens, RefreshTokenRepository& refresh) {
    CORE_ASSIGN_OR_RETURN(std::string access, tokens.IssueAccess(user));
    CORE_ASSIGN_OR_RETURN(IssuedRefresh issued, tokens.IssueRefresh(user));
    CORE_RETURN_IF_ERROR(refresh.StartFamily(
        {.jti = issued.jti, .user_id = user.id, .expires_at = issued.expires_at}));
    return TokenPair{std::move(access), std::move(issued.token)};
}

}  // namespace hatongsu::user
