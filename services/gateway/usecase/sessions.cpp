#include "services/gateway/usecase/sessions.h"

namespace hatongsu::gateway {
namespace {

using namespace std::chrono_literals;
constexpr auto kMaxTokenCacheTime = 5min;

}  // namespace

boost::asio::awaitable<absl::StatusOr<Principal>> Sessions::Authenticate(
    CallMeta meta, std::string authorization) {
    auto now = clock_.Now();
    if (auto cached = tokens_.Find(authorization, now)) {
        co_return *cached;
    }
    auto principal = co_await users_.ParseBearer(std::move(meta), authorization);
    if (!principal.ok()) {
        co_return principal.status();
    }
    auto expires = std::min(principal->expires_at, now + kMaxTokenCacheTime);
    if (expires > now) {
        tokens_.Put(std::move(authorization), *principal, expires);
    }
    co_return principal;
}

boost::asio::awaitable<absl::StatusOr<Account>> Sessions::CurrentAccount(
    CallMeta meta, std::string user_id) {
    auto now = clock_.Now();
    if (auto cached = accounts_.Find(user_id, now)) {
        co_return *cached;
    }
    auto account = co_await users_.GetAccount(std::move(meta), user_id);
    if (account.status().code() == absl::StatusCode::kNotFound) {
        co_return absl::UnauthenticatedError("INVALID_TOKEN");  // the token outlived its account
    }
    if (account.ok() && settings_.account_ttl.count() > 0) {
        accounts_.Put(std::move(user_id), *account, now + settings_.account_ttl);
    }
    co_return account;
}

}  // namespace hatongsu::gateway
