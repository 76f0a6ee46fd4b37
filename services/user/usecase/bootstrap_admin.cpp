#include "services/user/usecase/bootstrap_admin.h"

#include "hatongsu/core/status_macros.h"

namespace hatongsu::user {

absl::StatusOr<BootstrapOutcome> BootstrapAdmin::Execute(
    const std::string& email, const std::string& password) {
    CORE_ASSIGN_OR_RETURN(bool any_admin, users_.AnyAdmin());
    if (any_admin) {
        return BootstrapOutcome::kAdminExists;
    }
    CORE_ASSIGN_OR_RETURN(std::string normalized, NormalizeEmail(email));
    auto existing = users_.FindByEmail(normalized);
    if (existing.ok()) {
        return absl::FailedPreconditionError(
            "an account with the admin e-mail " + normalized +
            " exists and is not an admin (anyone may have registered it), so it is not promoted: "
            "promote it by hand if it is yours, or set HATONGSU_ADMIN_EMAIL to another address");
    }
    if (existing.status().code() != absl::StatusCode::kNotFound) {
        return existing.status();
    }
    CORE_RETURN_IF_ERROR(CheckNewPassword(password));
    CORE_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
    User admin{
        .id = {},
        .email = normalized,
        .nickname = "Admin",
        .profile = std::nullopt,
        .role = Role::kAdmin,
        .provider = Provider::kCredentials,
        .password_hash = std::move(hash)};
    CORE_RETURN_IF_ERROR(users_.Insert(admin).status());
    return BootstrapOutcome::kCreated;
}

}  // namespace hatongsu::user
