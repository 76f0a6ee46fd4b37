// Lists accounts for the admin dashboard with whitelisted filter and sort fields (weak point 3)
// and clamped paging (limit 1..100, 0 or unset -> 10; page < 1 -> 1). Stateless.
// Errors: InvalidArgument (unknown field, bad order), Unavailable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <absl/status/statusor.h>

#include "services/user/port/user_repository.h"

namespace hatongsu::user {

struct GetUsersCommand {
    std::string filter_field;  // email, nickname, role, provider; ignored when either part is empty
    std::string filter_value;
    std::vector<std::pair<std::string, std::string>> sort;  // (orderBy, order "asc"/"desc")
    int page = 0;
    int limit = 0;
};

class GetUsers final {
public:
    explicit GetUsers(UserRepository& users) : users_(users) {}
    absl::StatusOr<UserPage> Execute(const GetUsersCommand& command);

private:
    UserRepository& users_;  // owned by main, outlives this object
};

}  // namespace hatongsu::user
