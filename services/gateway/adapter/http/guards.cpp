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

net::Handler RequireAdmin(Sessions& sessions, AuthedHandler handler) {
    return [&sessions, handler = std::move(handler)](
               net::Context& ctx) -> boost::asio::awaitable<net::Response> {
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
        // A named value, not a temporary inside co_await: g++ 12 mis-destroys such temporaries.
        Principal admin{principal->sub, account->role, principal->expires_at};
        net::Response response = co_await handler(ctx, std::move(admin));
        co_return response;
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
