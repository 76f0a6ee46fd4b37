// UserRepository and RefreshTokenRepository on PostgreSQL (tables in schema/). Thread-safe: every
// call borrows a pooled connection. Refresh tokens: every rotation and revocation of a family
// first locks the family's row (SELECT ... FOR UPDATE), so they are serialised per family.
#pragma once

#include "hatongsu/pg/migrate.h"
#include "hatongsu/pg/pool.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user::pg {

class PgUserRepository final : public UserRepository {
public:
    explicit PgUserRepository(hatongsu::pg::Pool& pool) : pool_(pool) {}
    absl::StatusOr<User> FindByEmail(const std::string& email) override;
    absl::StatusOr<User> FindById(const std::string& id) override;
    absl::StatusOr<User> Insert(const User& user) override;
    absl::Status UpdatePasswordHash(const std::string& id, const std::string& hash) override;
    absl::Status UpdateRole(const std::string& id, Role role) override;
    absl::StatusOr<bool> AnyAdmin() override;
    absl::StatusOr<UserPage> List(const UserQuery& query) override;

private:
    hatongsu::pg::Pool& pool_;  // owned by main, outlives this object
};

class PgRefreshTokenRepository final : public RefreshTokenRepository {
public:
    explicit PgRefreshTokenRepository(hatongsu::pg::Pool& pool) : pool_(pool) {}
    absl::Status StartFamily(const RefreshTokenRecord& first) override;
    absl::StatusOr<RotateResult> Rotate(
        const std::string& old_jti, const RefreshTokenRecord& successor) override;

private:
    hatongsu::pg::Pool& pool_;  // owned by main, outlives this object
};

// The migrations of this service, embedded from schema/*.sql at build time.
const std::vector<hatongsu::pg::Migration>& Migrations();

}  // namespace hatongsu::user::pg
