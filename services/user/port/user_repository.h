// Storage of accounts. PgUserRepository and InMemoryUserRepository implement it.
// Errors: Unavailable (storage down), Internal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "services/user/domain/user.h"

namespace hatongsu::user {

enum class UserField { kId, kEmail, kNickname, kRole, kProvider, kCreatedAt, kUpdatedAt };

struct UserSort {
    UserField field;
    bool descending;
};

struct UserQuery {
    std::optional<UserField>
        filter_field;  // kEmail/kNickname: substring, case-insensitive; else equality
    std::string filter_value;
    std::vector<UserSort> sort;  // id is always appended as the last tie-breaker
    int offset = 0;
    int limit = 10;
};

struct UserPage {
    std::vector<User> users;
    int total_count = 0;
};

class UserRepository {
public:
    virtual ~UserRepository() = default;
    // Lookup by normalised e-mail, also matching rows stored with other letter case. NotFound if
    // absent.
    virtual absl::StatusOr<User> FindByEmail(const std::string& email) = 0;
    virtual absl::StatusOr<User> FindById(const std::string& id) = 0;  // NotFound if absent
    // Assigns the id. AlreadyExists when the e-mail is taken.
    virtual absl::StatusOr<User> Insert(const User& user) = 0;
    virtual absl::Status UpdatePasswordHash(const std::string& id, const std::string& hash) = 0;
    virtual absl::Status UpdateRole(const std::string& id, Role role) = 0;
    virtual absl::StatusOr<bool> AnyAdmin() = 0;
    virtual absl::StatusOr<UserPage> List(const UserQuery& query) = 0;
};

}  // namespace hatongsu::user
