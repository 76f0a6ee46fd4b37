#include <variant>

#include "services/gateway/adapter/http/routes.h"

namespace hatongsu::gateway::http {
namespace {

// The principal of a request with a valid bearer token, or the 401 to answer.
boost::asio::awaitable<absl::StatusOr<Principal>> Authenticate(
    Sessions& sessions, net::Context& ctx) {
    auto it = ctx.request.find(net::http::field::authorization);
    if (it == ctx.request.end() || it->value().empty()) {
        co_return absl::UnauthenticatedError("MISSING_TOKEN");
    }
    auto principal = co_await sessions.Authenticate(MetaOf(ctx), std::string(it->value()));
    co_return principal;
}

}  // namespace

CallMeta MetaOf(const net::Context& ctx) {
    return CallMeta{ctx.request_id, ctx.remote_ip};
}

net::Handler RequireUser(Sessions& sessions, AuthedHandler handler) {
    return [&sessions, handler = std::move(handler)](
               net::Context& ctx) -> boost::asio::awaitable<net::Response> {
        auto principal = co_await Authenticate(sessions, ctx);
        if (!principal.ok()) {
            co_return net::ErrorFromStatus(ctx, principal.status());
        }
        net::Response response = co_await handler(ctx, *principal);
        co_return response;
    };
}

namespace {

// The admin principal of the request, or the response to answer instead (401, 403, 503...).
boost::asio::awaitable<std::variant<Principal, net::Response>> CheckAdmin(
    Sessions& sessions, net::Context& ctx) {
    auto principal = co_await Authenticate(sessions, ctx);
    if (!principal.ok()) {
        co_return net::ErrorFromStatus(ctx, principal.status());
    }
    // The role in the token may be stale: the database decides (weak point 5).
    auto account = co_await sessions.CurrentAccount(MetaOf(ctx), principal->sub);
    if (!account.ok()) {
        co_return net::ErrorFromStatus(ctx, account.status());
    }
    if (account->role != "admin") {
        co_return net::JsonError(ctx, net::http::status::forbidden, "No permission");
    }
    co_return Principal{principal->sub, account->role, principal->expires_at};
}

}  // namespace

net::Handler RequireAdmin(Sessions& sessions, AuthedHandler handler) {
    return [&sessions, handler = std::move(handler)](
               net::Context& ctx) -> boost::asio::awaitable<net::Response> {
        auto checked = co_await CheckAdmin(sessions, ctx);
        if (auto* refusal = std::get_if<net::Response>(&checked)) {
            co_return std::move(*refusal);
        }
        // A named value, not a temporary inside co_await: g++ 12 mis-destroys such temporaries.
        Principal admin = std::get<Principal>(std::move(checked));
        net::Response response = co_await handler(ctx, std::move(admin));
        co_return response;
    };
}

net::Guard AdminGuard(Sessions& sessions) {
    return [&sessions](net::Context& ctx) -> boost::asio::awaitable<std::optional<net::Response>> {
        auto checked = co_await CheckAdmin(sessions, ctx);
        if (auto* refusal = std::get_if<net::Response>(&checked)) {
            co_return std::move(*refusal);
        }
        ctx.guard_data = std::get<Principal>(std::move(checked));
        co_return std::nullopt;
    };
}

boost::json::object AccountJson(const Account& account) {
    boost::json::object o;
    o["id"] = account.id;
    o["email"] = account.email;
    o["nickname"] = account.nickname;
    if (account.profile) {
        o["profile"] = *account.profile;
    }
    o["role"] = account.role;
    return o;
}

}  // namespace hatongsu::gateway::http
