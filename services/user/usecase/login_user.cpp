#include "services/user/usecase/login_user.h"

#include "hatongsu/core/status_macros.h"
#include "hatongsu/core/text.h"
#include "services/user/domain/credentials.h"
#include "services/user/usecase/issue_tokens.h"

namespace hatongsu::user {

absl::StatusOr<TokenPair> LoginUser::Execute(
    std::string_view credentials_header, const std::string& client_address) {
    CORE_ASSIGN_OR_RETURN(Credentials creds, ParseBasicCredentials(credentials_header));
    // Not validated: accounts created by the original may hold any address. Only case-folded.
    std::string account = core::AsciiLower(creds.email);
    auto now = clock_.Now();
    if (!throttle_.Allowed(account, client_address, now)) {
        return absl::ResourceExhaustedError("TOO_MANY_LOGIN_ATTEMPTS");
    }
    auto user = users_.FindByEmail(account);
    if (user.status().code() == absl::StatusCode::kNotFound) {
        throttle_.RecordFailure(account, client_address, now);
        return absl::NotFoundError("USER_NOT_FOUND");
    }
    CORE_RETURN_IF_ERROR(user.status());
    // OAuth accounts have no password (the original stored the hash of "google": weak point 2).
    bool password_account =
        user->provider == Provider::kCredentials && user->password_hash.has_value();
    if (!password_account || !hasher_.Verify(creds.password, *user->password_hash)) {
        throttle_.RecordFailure(account, client_address, now);
        return absl::UnauthenticatedError("INCORRECT_PASSWORD");
    }
    throttle_.RecordSuccess(account);
    if (hasher_.NeedsRehash(*user->password_hash)) {
        auto upgraded = hasher_.Hash(creds.password);
        if (upgraded.ok()) {
            // Best effort: a failure leaves the old hash, which is upgraded at the next login.
            (void)users_.UpdatePasswordHash(user->id, *upgraded);
        }
    }
    return IssueTokens(*user, tokens_, refresh_);
}

}  // namespace hatongsu::user
