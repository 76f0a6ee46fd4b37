// /health and /version as the original (text), /livez and /readyz for orchestrators, and
// /openapi.json (docs/openapi.yaml, embedded at build time).
#include "services/gateway/adapter/http/openapi_document.h"
#include "services/gateway/adapter/http/routes.h"

namespace hatongsu::gateway::http {

void AddSystemRoutes(net::Router& router, RouteDeps deps) {
    using net::http::status;
    using net::http::verb;
    router.Add(
        verb::get, "/health", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            co_return net::Text(ctx, status::ok, "OK");
        });
    router.Add(
        verb::get, "/version",
        [version = deps.version](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            co_return net::Text(ctx, status::ok, version);
        });
    router.Add(verb::get, "/livez", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
        co_return net::Json(ctx, status::ok, {{"status", "ok"}});
    });
    router.Add(
        verb::get, "/openapi.json", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            net::Response res{status::ok, ctx.request.version()};
            res.set(net::http::field::content_type, "application/json; charset=utf-8");
            // The same bytes until the next build: browsers and tools revalidate each day.
            res.set(net::http::field::cache_control, "public, max-age=86400");
            res.body() = std::string(OpenApiJson());
            res.prepare_payload();
            co_return res;
        });
    // Ready when the user service is (every request may need it for its token); the album
    // service is reported too, but without it only the album routes fail (503 each), so the
    // gateway stays in rotation and says "degraded".
    router.Add(
        verb::get, "/readyz",
        [&users = deps.users,
         albums = deps.albums](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            absl::Status user = co_await users.CheckHealth();
            boost::json::object checks{{"user", user.ok() ? "ok" : std::string(user.message())}};
            std::string state = user.ok() ? "ok" : "unavailable";
            if (albums != nullptr) {
                absl::Status album = co_await albums->CheckHealth();
                checks["album"] = album.ok() ? "ok" : std::string(album.message());
                if (user.ok() && !album.ok()) {
                    state = "degraded";
                }
            }
            co_return net::Json(
                ctx, user.ok() ? status::ok : status::service_unavailable,
                {{"status", state}, {"checks", checks}});
        });
}

}  // namespace hatongsu::gateway::http
