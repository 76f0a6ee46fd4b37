// Who is calling: bearer tokens checked by the user service and remembered until they expire
// (at most 5 minutes), and accounts remembered for a short time (account_ttl), so the hot path of
// an authenticated request needs no round trip. Role changes and deleted accounts are seen within
// account_ttl. Thread-safe; the maps are bounded (cleared when full).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include "hatongsu/core/clock.h"
#include "services/gateway/port/user_client.h"

namespace hatongsu::gateway {

struct SessionSettings {
    std::chrono::milliseconds account_ttl{1000};
    std::size_t max_entries = 100'000;
};

class Sessions final {
public:
    Sessions(UserClient& users, core::Clock& clock, SessionSettings settings)
        : users_(users), clock_(clock), settings_(settings) {}

    // "Bearer <access token>" -> principal, remembered until min(its expires_at, 5 min).
    // Unauthenticated INVALID_TOKEN, or the client's error.
    boost::asio::awaitable<absl::StatusOr<Principal>> Authenticate(
        CallMeta meta, std::string authorization);
    // The account as stored now (give or take account_ttl). Unauthenticated INVALID_TOKEN when it
    // is gone (the token's subject no longer exists), or the client's error.
    boost::asio::awaitable<absl::StatusOr<Account>> CurrentAccount(
        CallMeta meta, std::string user_id);

private:
    // Values that stop being found once their time is up; cleared whole when full.
    template <typename T>
    class ExpiringMap final {
    public:
        explicit ExpiringMap(std::size_t max_entries) : max_entries_(max_entries) {}
        std::optional<T> Find(const std::string& key, std::chrono::system_clock::time_point now) {
            absl::MutexLock lock(&mu_);
            auto it = entries_.find(key);
            if (it == entries_.end() || it->second.second <= now) {
                return std::nullopt;
            }
            return it->second.first;
        }
        void Put(std::string key, T value, std::chrono::system_clock::time_point expires) {
            absl::MutexLock lock(&mu_);
            if (entries_.size() >= max_entries_) {
                entries_.clear();
            }
            entries_[std::move(key)] = {std::move(value), expires};
        }

    private:
        const std::size_t max_entries_;
        absl::Mutex mu_;
        std::unordered_map<std::string, std::pair<T, std::chrono::system_clock::time_point>>
            entries_ ABSL_GUARDED_BY(mu_);
    };

    UserClient& users_;   // owned by main, outlives this object
    core::Clock& clock_;  // owned by main, outlives this object
    const SessionSettings settings_;
    ExpiringMap<Principal> tokens_{settings_.max_entries};
    ExpiringMap<Account> accounts_{settings_.max_entries};
};

}  // namespace hatongsu::gateway
