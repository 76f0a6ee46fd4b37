#include "services/user/usecase/login_user.h"

#include "hatongsu/core/status_macros.h"
#include "services/user/usecase/issue_tokens.h"

namespace hatongsu::user {

absl::StatusOr<LoginTicket> LoginUser::Admit(
    std::string_view credentials_header, const std::string& client_address) {
    CORE_ASSIGN_OR_RETURN(Credentials creds, ParseBasicCredentials(credentials_header));
    CORE_ASSIGN_OR_RETURN(std::string account, NormalizeLoginEmail(creds.email));
    ThrottleDecision decision = throttle_.Check(account, client_address, clock_.Now());
    if (!decision.allowed) {
        return absl::ResourceExhaustedError("TOO_MANY_LOGIN_ATTEMPTS");
    }
    return LoginTicket{
        .account = std::move(account),
        .password = std::move(creds.password),
        .address = client_address,
        .delay = decision.delay,
        .in_flight = std::move(decision.in_flight)};
}

absl::StatusOr<TokenPair> LoginUser::Complete(LoginTicket ticket) {
    auto user = users_.FindByEmail(ticket.account);
    if (user.status().code() == absl::StatusCode::kNotFound) {
        throttle_.RecordFailure(ticket.account, ticket.address, clock_.Now());
        return absl::NotFoundError("USER_NOT_FOUND");
    }
    CORE_RETURN_IF_ERROR(user.status());
    // OAuth accounts have no password (the original stored the hash of "google": weak point 2).
    bool password_account =
        user->provider == Provider::kCredentials && user->password_hash.has_value();
    if (!password_account || !hasher_.Verify(ticket.password, *user->password_hash)) {
        throttle_.RecordFailure(ticket.account, ticket.address, clock_.Now());
        return absl::UnauthenticatedError("INCORRECT_PASSWORD");
    }
    throttle_.RecordSuccess(ticket.account, ticket.address, clock_.Now());
    if (hasher_.NeedsRehash(*user->password_hash)) {
        auto upgraded = hasher_.Hash(ticket.password);
        if (upgraded.ok()) {
            // Best effort: a failure leaves the old hash, which is upgraded at the next login.
            (void)users_.UpdatePasswordHash(user->id, *upgraded);
        }
    }
    return IssueTokens(*user, tokens_, refresh_);
}

}  // namespace hatongsu::user
