// A UserClient fake for route and session tests: accounts in a map, "Bearer tok-<id>[.payload.sig]"
// accepted as that account's token, a switch to make every call fail as if the service were down,
// and call counters to observe caching. Thread-safe: the server's I/O threads call it while the
// test reads and changes its state through With(), which holds the lock for one statement:
//   users.With()->fail_with = absl::UnavailableError("down");
#pragma once

#include <map>
#include <mutex>

#include "hatongsu/jwt/jwt.h"
#include "services/gateway/port/user_client.h"

namespace hatongsu::gateway::testing {

struct FakeUserState {
    std::map<std::string, Account> accounts;  // by id
    absl::Status fail_with = absl::OkStatus();
    int parse_calls = 0;
    int account_calls = 0;
    int list_calls = 0;
    AccountQuery last_query;
    std::string last_nickname;
};

class FakeUserClient final : public UserClient {
public:
    class Locked {
    public:
        Locked(std::mutex& mu, FakeUserState& state) : lock_(mu), state_(state) {}
        FakeUserState* operator->() { return &state_; }

    private:
        std::unique_lock<std::mutex> lock_;
        FakeUserState& state_;
    };
    Locked With() { return Locked(mu_, state_); }

    boost::asio::awaitable<absl::Status> Register(
        CallMeta, std::string authorization, std::string nickname) override {
        auto state = With();
        state->last_nickname = nickname;
        if (!state->fail_with.ok()) {
            co_return state->fail_with;
        }
        co_return authorization.starts_with("Basic ")
            ? absl::OkStatus()
            : absl::InvalidArgumentError("INVALID_CREDENTIALS");
    }
    boost::asio::awaitable<absl::StatusOr<Tokens>> Login(
        CallMeta, std::string authorization) override {
        auto state = With();
        if (!state->fail_with.ok()) {
            co_return state->fail_with;
        }
        if (authorization.empty()) {
            co_return absl::InvalidArgumentError("INVALID_CREDENTIALS");
        }
        co_return Tokens{"access", "refresh"};
    }
    boost::asio::awaitable<absl::StatusOr<Tokens>> LoginGoogle(
        CallMeta, std::string id_token, std::string, std::string, std::string) override {
        auto state = With();
        co_return id_token == "good" ? absl::StatusOr<Tokens>(Tokens{"g-access", "g-refresh"})
                                     : absl::UnauthenticatedError("INVALID_GOOGLE_TOKEN");
    }
    boost::asio::awaitable<absl::StatusOr<Tokens>> Refresh(CallMeta, std::string token) override {
        auto state = With();
        co_return token == "refresh" ? absl::StatusOr<Tokens>(Tokens{"access2", "refresh2"})
                                     : absl::UnauthenticatedError("INVALID_TOKEN");
    }
    boost::asio::awaitable<absl::StatusOr<Principal>> ParseBearer(
        CallMeta, std::string authorization) override {
        auto state = With();
        ++state->parse_calls;
        if (!state->fail_with.ok()) {
            co_return state->fail_with;
        }
        constexpr std::string_view kPrefix = "Bearer tok-";
        if (!authorization.starts_with(kPrefix)) {
            co_return absl::UnauthenticatedError("INVALID_TOKEN");
        }
        std::string token = authorization.substr(kPrefix.size());
        std::string id = token.substr(0, token.find('.'));
        // "tok-<id>.<payload>.<sig>" carries an exp like a JWT, read as GrpcUserClient reads it.
        std::chrono::system_clock::time_point expires_at{};
        if (auto claims = jwt::UnverifiedClaims(token);
            claims.ok() && claims->contains("exp") && claims->at("exp").is_number()) {
            expires_at = std::chrono::system_clock::time_point(
                std::chrono::seconds(static_cast<int64_t>(claims->at("exp").to_number<double>())));
        }
        auto it = state->accounts.find(id);
        // The token carries the role at issue time: "user" unless the id says otherwise.
        co_return Principal{id, it != state->accounts.end() ? it->second.role : "user", expires_at};
    }
    boost::asio::awaitable<absl::StatusOr<Account>> GetAccount(
        CallMeta, std::string user_id) override {
        auto state = With();
        ++state->account_calls;
        if (!state->fail_with.ok()) {
            co_return state->fail_with;
        }
        auto it = state->accounts.find(user_id);
        if (it == state->accounts.end()) {
            co_return absl::NotFoundError("USER_NOT_FOUND");
        }
        co_return it->second;
    }
    boost::asio::awaitable<absl::StatusOr<AccountPage>> ListAccounts(
        CallMeta, AccountQuery query) override {
        auto state = With();
        ++state->list_calls;
        state->last_query = query;
        AccountPage page;
        for (const auto& [id, a] : state->accounts) {
            page.users.push_back(a);
        }
        page.total_count = static_cast<int>(page.users.size());
        co_return page;
    }
    boost::asio::awaitable<absl::Status> CheckHealth() override {
        auto state = With();
        co_return state->fail_with;
    }

private:
    std::mutex mu_;
    FakeUserState state_;
};

}  // namespace hatongsu::gateway::testing
