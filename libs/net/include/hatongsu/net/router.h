// Method + path -> handler. Paths match case-insensitively and tolerate one trailing slash (as
// Express does); ":name" segments capture into Context::params. HEAD is answered for GET routes.
// Prefix routes (AddPrefix) match the path as sent, before percent-decoding, and hand the rest to
// the handler undecoded; exact routes win over prefix routes, a longer prefix over a shorter one.
// Routes are added before the server starts; lookups are then read-only and thread-safe.
//
//   router.Add(verb::post, "/file/uploads", UploadHandler,
//              {.guard = AdminGuard, .body = net::BodyMode::kStreamed, .body_limit = 2ull << 30});
//   router.AddPrefix(verb::get, "/files/", FilesHandler);  // ctx.params["*"]: "a%2Fb.jpg" as sent
//   router.AddWebSocket("/:process/:room", RoomSocket, {.max_message_size = 4096});  // websocket.h
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hatongsu/net/http.h"
#include "hatongsu/net/websocket.h"

namespace hatongsu::net {

// A path's segments as the router matches them: "/album/7/" -> {"album", "7"}, "/" -> {} (one
// trailing slash is tolerated).
std::vector<std::string_view> SplitPath(std::string_view path);

enum class BodyMode {
    kBuffered,  // read whole into ctx.request.body() before the handler runs
    kStreamed,  // pulled by the handler through ctx.body
};

struct RouteOptions {
    Guard guard = {};  // none: every request reaches the handler
    BodyMode body = BodyMode::kBuffered;
    // Bytes of body accepted (413 past it: before reading when Content-Length says so, else as
    // the bytes arrive). nullopt: ServerOptions::body_limit when buffered, no limit when streamed
    // (the handler bounds what it keeps).
    std::optional<std::uint64_t> body_limit = {};
    // Public files any site may load (the gallery's models): its answers and its preflights say
    // `Access-Control-Allow-Origin: *` without credentials instead of ServerOptions::cors_origins.
    bool public_cors = false;
};

class Router final {
public:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;  // lower-cased; ":x" captures (exact routes)
        std::string prefix;                 // lower-cased (prefix routes); empty: exact route
        std::variant<Handler, ReplyHandler> handler;
        RouteOptions options;
        // The pattern ("/album/:id", "/files/*"): Context::route, logs and metrics labels.
        std::string label;
    };
    struct WebSocketRoute {
        std::vector<std::string> segments;  // as Route::segments
        WebSocketHandler handler;
        WebSocketOptions options;
        std::string label;  // as Route::label
    };

    void Add(
        http::verb method, std::string_view pattern, Handler handler, RouteOptions options = {});
    void Add(
        http::verb method,
        std::string_view pattern,
        ReplyHandler handler,
        RouteOptions options = {});
    // Every path starting with `prefix` (case-insensitive, e.g. "/files/") followed by at least
    // one byte; ctx.params["*"] is that rest, as sent.
    void AddPrefix(
        http::verb method, std::string_view prefix, Handler handler, RouteOptions options = {});
    void AddPrefix(
        http::verb method,
        std::string_view prefix,
        ReplyHandler handler,
        RouteOptions options = {});

    // A WebSocket endpoint: a GET with `Upgrade: websocket` on a matching path is upgraded and
    // handed to `handler` (websocket.h). The same path without the upgrade goes to the HTTP routes.
    void AddWebSocket(
        std::string_view pattern, WebSocketHandler handler, WebSocketOptions options = {});

    // What Routes() lists: a registered HTTP route as it was added (WebSocket routes are not
    // listed). `pattern` is the lower-cased path with ":name" captures (exact routes) or the
    // prefix (prefix routes, which match `pattern` followed by at least one byte).
    struct RouteInfo {
        http::verb method;
        std::string pattern;
        bool prefix = false;
    };
    // Every HTTP route, exact routes in the order added, then prefix routes longest first: for
    // documents and tests that must list what the server answers (docs/openapi.yaml).
    std::vector<RouteInfo> Routes() const;

    // The route for the request, or nullptr (then the server answers 404 "Cannot GET /x"). `path`
    // is the decoded path; prefix routes look at ctx.raw_path. Sets ctx.params and ctx.route.
    const Route* Match(http::verb method, std::string_view path, Context& ctx) const;
    // The WebSocket route for an upgrade request's decoded path, or nullptr.
    const WebSocketRoute* MatchWebSocket(std::string_view path, Context& ctx) const;

private:
    void AddExact(
        http::verb method,
        std::string_view pattern,
        std::variant<Handler, ReplyHandler> handler,
        RouteOptions options);
    void AddPrefixRoute(
        http::verb method,
        std::string_view prefix,
        std::variant<Handler, ReplyHandler> handler,
        RouteOptions options);

    std::vector<Route> routes_;
    std::vector<Route> prefix_routes_;  // longest prefix first
    std::vector<WebSocketRoute> websocket_routes_;
};

}  // namespace hatongsu::net
