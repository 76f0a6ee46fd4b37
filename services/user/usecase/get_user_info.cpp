#include "services/user/usecase/get_user_info.h"

#include "hatongsu/core/text.h"

namespace hatongsu::user {

absl::StatusOr<User> GetUserInfo(UserRepository& users, const std::string& user_id) {
    if (!core::IsUuid(user_id)) {
        return absl::NotFoundError("USER_NOT_FOUND");
    }
    auto user = users.FindById(core::AsciiLower(user_id));
    if (user.status().code() == absl::StatusCode::kNotFound) {
        return absl::NotFoundError("USER_NOT_FOUND");
    }
    return user;
}

}  // namespace hatongsu::user
