// In-memory fakes of the user service's ports, for use-case unit tests. Thread-safe enough for
// single-threaded tests (a mutex guards each map). FailNext() makes the next call return
// Unavailable.
#pragma once

#include <algorithm>
#include <map>

#include <absl/synchronization/mutex.h>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "services/user/port/google_id_verifier.h"
#include "services/user/port/password_hasher.h"
#include "services/user/port/refresh_token_repository.h"
#include "services/user/port/user_repository.h"

namespace hatongsu::user::testing {

class InMemoryUserRepository final : public UserRepository {
public:
    void FailNext() { fail_next_ = true; }
    std::size_t Size() const { return by_id_.size(); }

    absl::StatusOr<User> FindByEmail(const std::string& email) override {
        if (auto s = Fault(); !s.ok()) {
            return s;
        }
        for (const auto& [id, u] : by_id_) {
            if (core::AsciiLower(u.email) == core::AsciiLower(email)) {
                return u;
            }
        }
        return absl::NotFoundError("USER_NOT_FOUND");
    }
    absl::StatusOr<User> FindById(const std::string& id) override {
        if (auto s = Fault(); !s.ok()) {
            return s;
        }
        auto it = by_id_.find(id);
        if (it == by_id_.end()) {
            return absl::NotFoundError("USER_NOT_FOUND");
        }
        return it->second;
    }
    absl::StatusOr<User> Insert(const User& user) override {
        if (auto s = Fault(); !s.ok()) {
            return s;
        }
        for (const auto& [id, u] : by_id_) {
            if (u.email == user.email) {
                return absl::AlreadyExistsError("already exists");
            }
        }
        User stored = user;
        stored.id = core::RandomUuidV4();
        by_id_[stored.id] = stored;
        order_.push_back(stored.id);
        return stored;
    }
    absl::Status UpdatePasswordHash(const std::string& id, const std::string& hash) override {
        by_id_.at(id).password_hash = hash;
        return absl::OkStatus();
    }
    absl::Status UpdateRole(const std::string& id, Role role) override {
        by_id_.at(id).role = role;
        return absl::OkStatus();
    }
    absl::StatusOr<bool> AnyAdmin() override {
        return std::any_of(by_id_.begin(), by_id_.end(), [](const auto& kv) {
            return kv.second.role == Role::kAdmin;
        });
    }
    absl::StatusOr<UserPage> List(const UserQuery& query) override {
        last_query = query;
        UserPage page;
        page.total_count = static_cast<int>(order_.size());
        for (int i = query.offset;
             i < static_cast<int>(order_.size()) && i < query.offset + query.limit; ++i) {
            page.users.push_back(by_id_.at(order_[static_cast<std::size_t>(i)]));
        }
        return page;
    }

    UserQuery last_query;

private:
    absl::Status Fault() {
        if (fail_next_) {
            fail_next_ = false;
            return absl::UnavailableError("database unavailable");
        }
        return absl::OkStatus();
    }
    std::map<std::string, User> by_id_;
    std::vector<std::string> order_;
    bool fail_next_ = false;
};

// Same rules as PgRefreshTokenRepository; one mutex stands in for the family row lock. Expiry is
// judged against the system clock, as PostgreSQL's now() is.
class InMemoryRefreshTokenRepository final : public RefreshTokenRepository {
public:
    absl::Status StartFamily(const RefreshTokenRecord& first) override {
        absl::MutexLock lock(&mu_);
        std::string family = core::RandomUuidV4();
        families_[family] = false;
        tokens_[first.jti] = {first.user_id, family, first.expires_at, false};
        return absl::OkStatus();
    }
    absl::StatusOr<RotateResult> Rotate(
        const std::string& old_jti, const RefreshTokenRecord& successor) override {
        absl::MutexLock lock(&mu_);
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
    absl::Mutex mu_;
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
