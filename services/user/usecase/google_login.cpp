#include "services/user/usecase/google_login.h"

#include "hatongsu/core/status_macros.h"
#include "services/user/usecase/issue_tokens.h"

namespace hatongsu::user {

absl::StatusOr<GoogleIdentity> VerifiedGoogleIdentity(
    GoogleIdVerifier& verifier, std::string_view id_token) {
    if (id_token.empty()) {
        return absl::UnauthenticatedError("INVALID_GOOGLE_TOKEN");
    }
    CORE_ASSIGN_OR_RETURN(GoogleIdentity identity, verifier.Verify(id_token));
    if (!identity.email_verified) {
        return absl::UnauthenticatedError("GOOGLE_EMAIL_NOT_VERIFIED");
    }
    return identity;
}

absl::StatusOr<TokenPair> LoginGoogle::Execute(
    std::string_view id_token, std::string_view nickname_hint) {
    CORE_ASSIGN_OR_RETURN(GoogleIdentity identity, VerifiedGoogleIdentity(verifier_, id_token));
    auto email = NormalizeEmail(identity.email);
    if (!email.ok()) {
        return absl::UnauthenticatedError("INVALID_GOOGLE_TOKEN");
    }
    auto user = users_.FindByEmail(*email);
    if (user.ok()) {
        if (user->provider != Provider::kGoogle) {
            return absl::AlreadyExistsError("EMAIL_REGISTERED_WITH_PASSWORD");
        }
        return IssueTokens(*user, tokens_, refresh_);
    }
    if (user.status().code() != absl::StatusCode::kNotFound) {
        return user.status();
    }
    std::string nickname = !identity.name.empty() ? identity.name : std::string(nickname_hint);
    if (!CheckNickname(nickname).ok()) {
        nickname = email->substr(0, email->find('@'));
    }
    User fresh{
        .id = {},
        .email = *email,
        .nickname = nickname,
        .profile = identity.picture,
        .role = Role::kUser,
        .provider = Provider::kGoogle,
        .password_hash = std::nullopt};
    auto inserted = users_.Insert(fresh);
    if (inserted.status().code() == absl::StatusCode::kAlreadyExists) {
        inserted = users_.FindByEmail(*email);  // a concurrent first login created it
    }
    CORE_RETURN_IF_ERROR(inserted.status());
    return IssueTokens(*inserted, tokens_, refresh_);
}

}  // namespace hatongsu::user
