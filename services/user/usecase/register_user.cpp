#include "services/user/usecase/register_user.h"

#include "hatongsu/core/status_macros.h"
#include "services/user/domain/credentials.h"

namespace hatongsu::user {

absl::Status RegisterUser::Execute(
    std::string_view credentials_header,
    std::string_view nickname,
    const std::string& client_address) {
    CORE_ASSIGN_OR_RETURN(Credentials creds, ParseBasicCredentials(credentials_header));
    CORE_ASSIGN_OR_RETURN(std::string email, NormalizeEmail(creds.email));
    CORE_RETURN_IF_ERROR(CheckNewPassword(creds.password));
    CORE_RETURN_IF_ERROR(CheckNickname(nickname));
    if (!limit_.TryAcquire(client_address, clock_.Now())) {
        return absl::ResourceExhaustedError("TOO_MANY_REGISTRATION_ATTEMPTS");
    }
    auto existing = users_.FindByEmail(email);
    if (existing.ok()) {
        return absl::AlreadyExistsError("EMAIL_ALREADY_EXISTS");
    }
    if (existing.status().code() != absl::StatusCode::kNotFound) {
        return existing.status();
    }
    CORE_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(creds.password));
    User user{
        .id = {},
        .email = email,
        .nickname = std::string(nickname),
        .profile = std::nullopt,
        .role = Role::kUser,
        .provider = Provider::kCredentials,
        .password_hash = std::move(hash)};
    auto inserted = users_.Insert(user);
    if (inserted.status().code() == absl::StatusCode::kAlreadyExists) {
        return absl::AlreadyExistsError("EMAIL_ALREADY_EXISTS");  // lost a race with a twin request
    }
    return inserted.status();
}

}  // namespace hatongsu::user
