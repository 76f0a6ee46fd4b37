#include "services/user/adapter/pg/pg_user_repository.h"

#include "hatongsu/core/clock.h"
#include "hatongsu/core/text.h"
#include "hatongsu/pg/migrate.h"

namespace hatongsu::user::pg {
namespace {

constexpr const char* kColumns =
    R"(SELECT id::text, email, nickname, profile, role::text, provider::text, password FROM "user" )";

User FromRow(const pqxx::row& row) {
    User u;
    u.id = row[0].as<std::string>();
    u.email = row[1].as<std::string>();
    u.nickname = row[2].as<std::string>();
    if (!row[3].is_null()) {
        u.profile = row[3].as<std::string>();
    }
    u.role = ParseRole(row[4].as<std::string>()).value_or(Role::kUser);
    u.provider = ParseProvider(row[5].as<std::string>()).value_or(Provider::kCredentials);
    if (!row[6].is_null()) {
        u.password_hash = row[6].as<std::string>();
    }
    return u;
}

std::string Column(UserField field) {
    switch (field) {
        case UserField::kId:
            return "id";
        case UserField::kEmail:
            return "email";
        case UserField::kNickname:
            return "nickname";
        case UserField::kRole:
            return "role";
        case UserField::kProvider:
            return "provider";
        case UserField::kCreatedAt:
            return "\"createdAt\"";
        case UserField::kUpdatedAt:
            return "\"updatedAt\"";
    }
    return "id";
}

// LIKE pattern matching `value` literally anywhere (the original let % and _ act as wildcards).
std::string ContainsPattern(const std::string& value) {
    std::string out = "%";
    for (char c : value) {
        if (c == '%' || c == '_' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "%";
}

}  // namespace

absl::StatusOr<User> PgUserRepository::FindByEmail(const std::string& email) {
    return pool_.Run("find user by email", [&](pqxx::connection& c) -> absl::StatusOr<User> {
        pqxx::nontransaction tx(c);
        // Rows from the original may differ in case; an exact match wins.
        auto r = tx.exec_params(
            std::string(kColumns) + R"(WHERE lower(email) = lower($1)
            ORDER BY (email = $1) DESC, "createdAt" LIMIT 1)",
            email);
        if (r.empty()) {
            return absl::NotFoundError("USER_NOT_FOUND");
        }
        return FromRow(r[0]);
    });
}

absl::StatusOr<User> PgUserRepository::FindById(const std::string& id) {
    if (!core::IsUuid(id)) {
        return absl::NotFoundError("USER_NOT_FOUND");  // no such id can exist
    }
    return pool_.Run("find user by id", [&](pqxx::connection& c) -> absl::StatusOr<User> {
        pqxx::nontransaction tx(c);
        auto r = tx.exec_params(std::string(kColumns) + "WHERE id = $1::uuid", id);
        if (r.empty()) {
            return absl::NotFoundError("USER_NOT_FOUND");
        }
        return FromRow(r[0]);
    });
}

absl::StatusOr<User> PgUserRepository::Insert(const User& user) {
    return pool_.Run("insert user", [&](pqxx::connection& c) -> absl::StatusOr<User> {
        pqxx::work tx(c);
        auto r = tx.exec_params(
            R"(INSERT INTO "user" (email, nickname, password, profile, role, provider, version)
               VALUES ($1, $2, $3, $4, $5::user_role_enum, $6::user_provider_enum, 1) RETURNING id::text)",
            user.email, user.nickname, user.password_hash, user.profile,
            std::string(RoleName(user.role)), std::string(ProviderName(user.provider)));
        tx.commit();
        User out = user;
        out.id = r[0][0].as<std::string>();
        return out;
    });
}

absl::Status PgUserRepository::UpdatePasswordHash(const std::string& id, const std::string& hash) {
    return pool_.Run("update password", [&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec_params(
            R"(UPDATE "user" SET password = $2, "updatedAt" = now(), version = version + 1
                          WHERE id = $1::uuid)",
            id, hash);
        tx.commit();
        return absl::OkStatus();
    });
}

absl::Status PgUserRepository::UpdateRole(const std::string& id, Role role) {
    return pool_.Run("update role", [&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec_params(
            R"(UPDATE "user" SET role = $2::user_role_enum, "updatedAt" = now(),
                          version = version + 1 WHERE id = $1::uuid)",
            id, std::string(RoleName(role)));
        tx.commit();
        return absl::OkStatus();
    });
}

absl::StatusOr<bool> PgUserRepository::AnyAdmin() {
    return pool_.Run("any admin", [&](pqxx::connection& c) -> absl::StatusOr<bool> {
        pqxx::nontransaction tx(c);
        return tx.exec(R"(SELECT EXISTS (SELECT 1 FROM "user" WHERE role = 'admin'))")[0][0]
            .as<bool>();
    });
}

absl::StatusOr<UserPage> PgUserRepository::List(const UserQuery& query) {
    std::string where;
    if (query.filter_field == UserField::kEmail || query.filter_field == UserField::kNickname) {
        where = " WHERE " + Column(*query.filter_field) + " ILIKE $1 ESCAPE '\\'";
    } else if (query.filter_field) {
        where = " WHERE " + Column(*query.filter_field) + "::text = $1";
    }
    std::string order = " ORDER BY ";
    for (const UserSort& s : query.sort) {
        order += Column(s.field) + (s.descending ? " DESC, " : " ASC, ");
    }
    order += "id ASC";
    std::string filter_value =
        query.filter_field == UserField::kEmail || query.filter_field == UserField::kNickname
            ? ContainsPattern(query.filter_value)
            : query.filter_value;
    return pool_.Run("list users", [&](pqxx::connection& c) -> absl::StatusOr<UserPage> {
        pqxx::work tx(c);
        UserPage page;
        pqxx::result rows;
        pqxx::result count;
        if (query.filter_field) {
            rows = tx.exec_params(
                std::string(kColumns) + where + order + " LIMIT $2 OFFSET $3", filter_value,
                query.limit, query.offset);
            count = tx.exec_params(R"(SELECT count(*) FROM "user")" + where, filter_value);
        } else {
            rows = tx.exec_params(
                std::string(kColumns) + order + " LIMIT $1 OFFSET $2", query.limit, query.offset);
            count = tx.exec(R"(SELECT count(*) FROM "user")");
        }
        for (const auto& row : rows) {
            page.users.push_back(FromRow(row));
        }
        page.total_count = count[0][0].as<int>();
        return page;
    });
}

absl::Status PgRefreshTokenRepository::StartFamily(const RefreshTokenRecord& first) {
    return pool_.Run("start refresh token family", [&](pqxx::connection& c) {
        pqxx::work tx(c);
        // Families whose tokens have all expired are of no use any more (their tokens go with
        // them: ON DELETE CASCADE). Best effort: rows another transaction holds are skipped, so
        // two logins of one user never wait for (or deadlock on) each other here.
        tx.exec_params(
            "DELETE FROM refresh_family WHERE id IN (SELECT f.id FROM refresh_family f "
            "WHERE f.user_id = $1::uuid AND NOT EXISTS (SELECT 1 FROM refresh_token t "
            "WHERE t.family_id = f.id AND t.expires_at > now()) FOR UPDATE SKIP LOCKED)",
            first.user_id);
        tx.exec_params(
            "WITH f AS (INSERT INTO refresh_family (user_id) VALUES ($2::uuid) RETURNING id) "
            "INSERT INTO refresh_token (jti, user_id, family_id, expires_at) "
            "SELECT $1::uuid, $2::uuid, f.id, to_timestamp($3) FROM f",
            first.jti, first.user_id, core::EpochSeconds(first.expires_at));
        tx.commit();
        return absl::OkStatus();
    });
}

absl::StatusOr<RotateResult> PgRefreshTokenRepository::Rotate(
    const std::string& old_jti, const RefreshTokenRecord& successor) {
    return pool_.Run(
        "rotate refresh token", [&](pqxx::connection& c) -> absl::StatusOr<RotateResult> {
            pqxx::work tx(c);
            // Lock the family first: a concurrent rotation or revocation of the same family waits
            // here until this transaction ends, and every later statement (READ COMMITTED) then
            // sees what it committed.
            auto family = tx.exec_params(
                "SELECT f.id::text, f.revoked_at IS NOT NULL FROM refresh_token t "
                "JOIN refresh_family f ON f.id = t.family_id "
                "WHERE t.jti = $1::uuid AND t.user_id = $2::uuid FOR UPDATE OF f",
                old_jti, successor.user_id);
            if (family.empty()) {
                return RotateResult::kUnknown;
            }
            const auto family_id = family[0][0].as<std::string>();
            const bool revoked = family[0][1].as<bool>();
            auto token = tx.exec_params(
                "SELECT spent_at IS NOT NULL, expires_at > now() FROM refresh_token "
                "WHERE jti = $1::uuid",
                old_jti);
            if (token.empty() || !token[0][1].as<bool>()) {
                return RotateResult::kUnknown;  // gone or expired
            }
            if (revoked || token[0][0].as<bool>()) {
                tx.exec_params(
                    "UPDATE refresh_family SET revoked_at = coalesce(revoked_at, now()) "
                    "WHERE id = $1::uuid",
                    family_id);
                tx.exec_params(
                    "UPDATE refresh_token SET spent_at = now() "
                    "WHERE family_id = $1::uuid AND spent_at IS NULL",
                    family_id);
                tx.commit();
                return RotateResult::kReused;
            }
            tx.exec_params(
                "UPDATE refresh_token SET spent_at = now() WHERE jti = $1::uuid", old_jti);
            tx.exec_params(
                "INSERT INTO refresh_token (jti, user_id, family_id, expires_at) "
                "VALUES ($1::uuid, $2::uuid, $3::uuid, to_timestamp($4))",
                successor.jti, successor.user_id, family_id,
                core::EpochSeconds(successor.expires_at));
            tx.commit();
            return RotateResult::kRotated;
        });
}

}  // namespace hatongsu::user::pg
