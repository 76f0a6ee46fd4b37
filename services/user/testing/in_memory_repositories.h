// In-memory fakes of the user service's ports, for use-case unit tests. Thread-safe (a mutex
// guards each). FailNext() makes the next call of the user repository return Unavailable.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>

#include <absl/base/thread_annotations.h>

#include "hatongsu/core/random.h"
#include "hatongsu/core/status_macros.h"
#include "hatongsu/core/text.h"
#include "services/user/port/google_id_verifier.h"
#include "services/user/port/password_hasher.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user::testing {

// Same observable rules as PgUserRepository (the repository contract checks both): e-mail lookup
// ignoring case, filters (e-mail and nickname: literal substring ignoring case; other fields:
// equality), sorting by any field with the id as the last tie-breaker, paging and a total count.
// createdAt/updatedAt are modelled by a counter of writes. Thread-safe.
class InMemoryUserRepository final : public UserRepository {
public:
    void FailNext() {
        std::lock_guard lock(mu_);
        fail_next_ = true;
    }
    std::size_t Size() {
        std::lock_guard lock(mu_);
        return rows_.size();
    }

    absl::StatusOr<User> FindByEmail(const std::string& email) override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        for (const auto& [id, row] : rows_) {
            if (core::AsciiLower(row.user.email) == core::AsciiLower(email)) {
                return row.user;
            }
        }
        return absl::NotFoundError("USER_NOT_FOUND");
    }
    absl::StatusOr<User> FindById(const std::string& id) override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        auto it = rows_.find(core::AsciiLower(id));
        if (it == rows_.end()) {
            return absl::NotFoundError("USER_NOT_FOUND");
        }
        return it->second.user;
    }
    absl::StatusOr<User> Insert(const User& user) override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        for (const auto& [id, row] : rows_) {
            if (row.user.email == user.email) {
                return absl::AlreadyExistsError("already exists");
            }
        }
        Row row{user, ++writes_, writes_};
        row.user.id = core::RandomUuidV4();
        rows_[row.user.id] = row;
        return row.user;
    }
    absl::Status UpdatePasswordHash(const std::string& id, const std::string& hash) override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        if (auto it = rows_.find(id); it != rows_.end()) {
            it->second.user.password_hash = hash;
            it->second.updated = ++writes_;
        }
        return absl::OkStatus();
    }
    absl::Status UpdateRole(const std::string& id, Role role) override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        if (auto it = rows_.find(id); it != rows_.end()) {
            it->second.user.role = role;
            it->second.updated = ++writes_;
        }
        return absl::OkStatus();
    }
    absl::StatusOr<bool> AnyAdmin() override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        return std::any_of(rows_.begin(), rows_.end(), [](const auto& kv) {
            return kv.second.user.role == Role::kAdmin;
        });
    }
    absl::StatusOr<UserPage> List(const UserQuery& query) override {
        std::lock_guard lock(mu_);
        CORE_RETURN_IF_ERROR(Fault());
        last_query_ = query;
        std::vector<const Row*> matching;
        for (const auto& [id, row] : rows_) {
            if (Matches(row, query)) {
                matching.push_back(&row);
            }
        }
        std::sort(matching.begin(), matching.end(), [&](const Row* a, const Row* b) {
            for (const UserSort& s : query.sort) {
                int c = Compare(*a, *b, s.field);
                if (c != 0) {
                    return s.descending ? c > 0 : c < 0;
                }
            }
            return a->user.id < b->user.id;
        });
        UserPage page;
        page.total_count = static_cast<int>(matching.size());
        for (std::size_t i = static_cast<std::size_t>(std::max(query.offset, 0));
             i < matching.size() && page.users.size() < static_cast<std::size_t>(query.limit);
             ++i) {
            page.users.push_back(matching[i]->user);
        }
        return page;
    }

    UserQuery LastQuery() {
        std::lock_guard lock(mu_);
        return last_query_;
    }

private:
    struct Row {
        User user;
        long created = 0;  // stand-ins for "createdAt"/"updatedAt": the order of writes
        long updated = 0;
    };

    static std::string Text(const Row& row, UserField field) {
        switch (field) {
            case UserField::kId:
                return row.user.id;
            case UserField::kEmail:
                return row.user.email;
            case UserField::kNickname:
                return row.user.nickname;
            case UserField::kRole:
                return std::string(RoleName(row.user.role));
            case UserField::kProvider:
                return std::string(ProviderName(row.user.provider));
            case UserField::kCreatedAt:
                return std::to_string(row.created);
            case UserField::kUpdatedAt:
                return std::to_string(row.updated);
        }
        return {};
    }
    static int Compare(const Row& a, const Row& b, UserField field) {
        if (field == UserField::kCreatedAt) {
            return a.created < b.created ? -1 : (a.created > b.created ? 1 : 0);
        }
        if (field == UserField::kUpdatedAt) {
            return a.updated < b.updated ? -1 : (a.updated > b.updated ? 1 : 0);
        }
        return Text(a, field).compare(Text(b, field));
    }
    static bool Matches(const Row& row, const UserQuery& query) {
        if (!query.filter_field) {
            return true;
        }
        if (query.filter_field == UserField::kEmail || query.filter_field == UserField::kNickname) {
            return core::AsciiLower(Text(row, *query.filter_field))
                       .find(core::AsciiLower(query.filter_value)) != std::string::npos;
        }
        return Text(row, *query.filter_field) == query.filter_value;
    }
    absl::Status Fault() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        if (fail_next_) {
            fail_next_ = false;
            return absl::UnavailableError("database unavailable");
        }
        return absl::OkStatus();
    }

    std::mutex mu_;  // std::mutex, not absl::Mutex: visible to ThreadSanitizer
    std::map<std::string, Row> rows_ ABSL_GUARDED_BY(mu_);  // by id
    long writes_ ABSL_GUARDED_BY(mu_) = 0;
    bool fail_next_ ABSL_GUARDED_BY(mu_) = false;
    UserQuery last_query_ ABSL_GUARDED_BY(mu_);
};

// Same rules as PgRefreshTokenRepository; one mutex stands in for the family row lock. Expiry is
// judged against the system clock, as PostgreSQL's now() is.
class InMemoryRefreshTokenRepository final : public RefreshTokenRepository {
public:
    absl::Status StartFamily(const RefreshTokenRecord& first) override {
        std::lock_guard lock(mu_);
        std::string family = core::RandomUuidV4();
        families_[family] = false;
        tokens_[first.jti] = {first.user_id, family, first.expires_at, false};
        return absl::OkStatus();
    }
    absl::StatusOr<RotateResult> Rotate(
        const std::string& old_jti, const RefreshTokenRecord& successor) override {
        std::lock_guard lock(mu_);
        auto it = tokens_.find(old_jti);
        if (it == tokens_.end() || it->second.user_id != successor.user_id ||
            it->second.expires_at <= std::chrono::system_clock::now()) {
            return RotateResult::kUnknown;
        }
        const std::string family = it->second.family;
        if (it->second.spent || families_.at(family)) {
            families_[family] = true;
            for (auto& [jti, t] : tokens_) {
                if (t.family == family) {
                    t.spent = true;
                }
            }
            return RotateResult::kReused;
        }
        it->second.spent = true;
        tokens_[successor.jti] = {successor.user_id, family, successor.expires_at, false};
        return RotateResult::kRotated;
    }

private:
    struct Token {
        std::string user_id;
        std::string family;
        std::chrono::system_clock::time_point expires_at;
        bool spent;
    };
    std::mutex mu_;  // std::mutex, not absl::Mutex: visible to ThreadSanitizer
    std::map<std::string, Token> tokens_ ABSL_GUARDED_BY(mu_);
    std::map<std::string, bool> families_ ABSL_GUARDED_BY(mu_);  // id -> revoked
};

// "plain$<password>" hashes, "old$<password>" counts as an old scheme. Counts Hash() calls.
class FakePasswordHasher final : public PasswordHasher {
public:
    absl::StatusOr<std::string> Hash(std::string_view password) override {
        ++hashes;
        return "plain$" + std::string(password);
    }
    bool Verify(std::string_view password, const std::string& hash) override {
        return hash == "plain$" + std::string(password) || hash == "old$" + std::string(password);
    }
    bool NeedsRehash(const std::string& hash) override { return hash.starts_with("old$"); }
    int hashes = 0;
};

// Token -> identity table.
class FakeGoogleIdVerifier final : public GoogleIdVerifier {
public:
    absl::StatusOr<GoogleIdentity> Verify(std::string_view id_token) override {
        auto it = identities.find(std::string(id_token));
        if (it == identities.end()) {
            return absl::UnauthenticatedError("INVALID_GOOGLE_TOKEN");
        }
        return it->second;
    }
    std::map<std::string, GoogleIdentity> identities;
};

}  // namespace hatongsu::user::testing
