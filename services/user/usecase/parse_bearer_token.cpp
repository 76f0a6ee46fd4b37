#include "services/user/usecase/parse_bearer_token.h"

#include "hatongsu/core/status_macros.h"
#include "services/user/domain/credentials.h"

namespace hatongsu::user {

absl::StatusOr<Principal> ParseBearerToken(TokenCodec& tokens, std::string_view authorization) {
    CORE_ASSIGN_OR_RETURN(std::string token, ParseBearer(authorization));
    return tokens.VerifyAccess(token);
}

}  // namespace hatongsu::user
