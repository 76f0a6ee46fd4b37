#include "services/user/usecase/get_users.h"

#include <map>

#include "hatongsu/core/text.h"

namespace hatongsu::user {
namespace {

constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 100;

}  // namespace

absl::StatusOr<UserPage> GetUsers::Execute(const GetUsersCommand& command) {
    static const std::map<std::string, UserField, std::less<>> kSortable = {
        {"id", UserField::kId},
        {"email", UserField::kEmail},
        {"nickname", UserField::kNickname},
        {"role", UserField::kRole},
        {"provider", UserField::kProvider},
        {"createdAt", UserField::kCreatedAt},
        {"updatedAt", UserField::kUpdatedAt}};
    static const std::map<std::string, UserField, std::less<>> kFilterable = {
        {"email", UserField::kEmail},
        {"nickname", UserField::kNickname},
        {"role", UserField::kRole},
        {"provider", UserField::kProvider}};

    UserQuery query;
    if (!command.filter_field.empty() && !command.filter_value.empty()) {
        auto it = kFilterable.find(command.filter_field);
        if (it == kFilterable.end()) {
            return absl::InvalidArgumentError(
                "filter.field must be one of: email, nickname, role, provider");
        }
        query.filter_field = it->second;
        query.filter_value = command.filter_value;
    }
    for (const auto& [order_by, order] : command.sort) {
        auto it = kSortable.find(order_by);
        if (it == kSortable.end()) {
            return absl::InvalidArgumentError(
                "sort.orderBy must be one of: id, email, nickname, role, provider, createdAt, "
                "updatedAt");
        }
        std::string dir = core::AsciiLower(order);
        if (dir != "asc" && dir != "desc") {
            return absl::InvalidArgumentError("sort.order must be asc or desc");
        }
        bool seen = false;
        for (UserSort& s : query.sort) {
            if (s.field == it->second) {
                s.descending = dir == "desc";  // named twice: first position, last direction
                seen = true;
            }
        }
        if (!seen) {
            query.sort.push_back({it->second, dir == "desc"});
        }
    }
    int limit = command.limit <= 0 ? kDefaultLimit : std::min(command.limit, kMaxLimit);
    int page = std::max(command.page, 1);
    query.limit = limit;
    query.offset = static_cast<int>(
        std::min<long long>(static_cast<long long>(page - 1) * limit, 1'000'000'000));
    return users_.List(query);
}

}  // namespace hatongsu::user
