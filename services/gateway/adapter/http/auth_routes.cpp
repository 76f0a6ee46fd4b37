// /auth/register, /auth/login, /auth/google/login (spec/api.md 1.9.3-1.9.5) and /auth/refresh.
#include <chrono>

#include "hatongsu/net/json_body.h"
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/adapter/http/validation.h"

namespace hatongsu::gateway::http {
namespace {

using net::http::status;

std::string Authorization(const net::Context& ctx) {
    auto it = ctx.request.find(net::http::field::authorization);
    return it == ctx.request.end() ? "" : std::string(it->value());
}

net::Response TokensJson(const net::Context& ctx, const absl::StatusOr<Tokens>& tokens) {
    if (!tokens.ok()) {
        return net::ErrorFromStatus(ctx, tokens.status());
    }
    return net::Json(
        ctx, status::created,
        {{"accessToken", tokens->access_token}, {"refreshToken", tokens->refresh_token}});
}

// A syntactically plausible address, as class-validator's IsEmail would have it (one '@', a dotted
// domain with a TLD of two letters or more); the user service takes the e-mail from the token
// anyway.
bool LooksLikeEmail(const std::string& s) {
    auto at = s.find('@');
    if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) {
        return false;
    }
    auto dot = s.rfind('.');
    return dot != std::string::npos && dot > at + 1 && s.size() - dot - 1 >= 2 &&
           s.find(' ') == std::string::npos;
}

}  // namespace

void AddAuthRoutes(net::Router& router, RouteDeps deps) {
    using net::http::verb;
    router.Add(
        verb::post, "/auth/register",
        [deps](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            auto body = net::JsonObjectBody(ctx);
            if (!body.ok()) {
                co_return net::ErrorFromStatus(ctx, body.status());
            }
            Validation v;
            std::string nickname = RequiredString(*body, "nickname", v);
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            // Non-ASCII credentials never get here: the server refuses them (400) for every route.
            std::string authorization = Authorization(ctx);
            absl::Status s = co_await deps.users.Register(MetaOf(ctx), authorization, nickname);
            if (!s.ok()) {
                co_return net::ErrorFromStatus(ctx, s);
            }
            co_return net::Json(
                ctx, status::created,
                {{"success", true}, {"message", "USER_REGISTRATION_SUCCESS"}});
        });

    router.Add(
        verb::post, "/auth/login",
        [deps](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            std::string authorization = Authorization(ctx);
            // A storm from one address is answered here, before it costs a gRPC call.
            if (deps.login_limit != nullptr &&
                !deps.login_limit->Allow(ctx.remote_ip, std::chrono::steady_clock::now())) {
                co_return net::ErrorFromStatus(
                    ctx, absl::ResourceExhaustedError("TOO_MANY_LOGIN_ATTEMPTS"));
            }
            co_return TokensJson(ctx, co_await deps.users.Login(MetaOf(ctx), authorization));
        });

    router.Add(
        verb::post, "/auth/google/login",
        [deps](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            auto body = net::JsonObjectBody(ctx);
            if (!body.ok()) {
                co_return net::ErrorFromStatus(ctx, body.status());
            }
            Validation v;
            std::string email = RequiredString(*body, "email", v);
            if (!email.empty() && !LooksLikeEmail(email)) {
                v.Add("email", "email must be an email");
            }
            std::string nickname = RequiredString(*body, "nickname", v);
            std::string profile = RequiredString(*body, "profile", v);
            std::string id_token = RequiredString(*body, "idToken", v);
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            co_return TokensJson(
                ctx,
                co_await deps.users.LoginGoogle(MetaOf(ctx), id_token, email, nickname, profile));
        });

    router.Add(
        verb::post, "/auth/refresh",
        [deps](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            auto body = net::JsonObjectBody(ctx);
            if (!body.ok()) {
                co_return net::ErrorFromStatus(ctx, body.status());
            }
            Validation v;
            std::string refresh = RequiredString(*body, "refreshToken", v);
            if (!v.Ok()) {
                co_return v.Fail(ctx);
            }
            co_return TokensJson(ctx, co_await deps.users.Refresh(MetaOf(ctx), refresh));
        });
}

}  // namespace hatongsu::gateway::http
