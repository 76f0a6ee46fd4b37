#include "services/gateway/usecase/sessions.h"

#include <boost/json/parse.hpp>

#include "hatongsu/core/text.h"

namespace hatongsu::gateway {
namespace {

using namespace std::chrono_literals;
constexpr auto kMaxTokenCacheTime = 5min;

}  // namespace

int64_t UnverifiedExpiry(std::string_view authorization) {
    auto first = authorization.find('.');
    auto second = first == std::string_view::npos ? first : authorization.find('.', first + 1);
    if (second == std::string_view::npos) {
        return 0;
    }
    auto payload = core::Base64UrlDecode(authorization.substr(first + 1, second - first - 1));
    if (!payload) {
        return 0;
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(*payload, ec);
    if (ec || !v.is_object()) {
        return 0;
    }
    const auto* exp = v.as_object().if_contains("exp");
    return exp != nullptr && exp->is_number() ? static_cast<int64_t>(exp->to_number<double>()) : 0;
}

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
    auto exp = std::chrono::system_clock::time_point(
        std::chrono::seconds(UnverifiedExpiry(authorization)));
    auto expires = std::min(exp, now + kMaxTokenCacheTime);
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
    if (account.ok() && settings_.account_ttl.count() > 0) {
        accounts_.Put(std::move(user_id), *account, now + settings_.account_ttl);
    }
    co_return account;
}

}  // namespace hatongsu::gateway
