// The gateway's REST routes (spec/api.md section 1) and the guards later routes reuse.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "hatongsu/net/router.h"
#include "hatongsu/storage/object_store.h"
#include "services/gateway/port/album_client.h"
#include "services/gateway/port/upload_queue.h"
#include "services/gateway/port/user_client.h"
#include "services/gateway/usecase/login_rate_limit.h"
#include "services/gateway/usecase/response_cache.h"
#include "services/gateway/usecase/sessions.h"
#include "services/gateway/usecase/upload_session.h"

namespace hatongsu::gateway::http {

// Everything the route handlers use; owned by main.
struct RouteDeps {
    UserClient& users;
    Sessions& sessions;
    std::string version = "0.1.0";
    LoginRateLimit* login_limit = nullptr;  // per-address rate of POST /auth/login; none: off
    AlbumClient* albums = nullptr;          // required by AddAlbumRoutes
    ResponseCache* album_cache = nullptr;   // public album answers; none: every request asks
};

CallMeta MetaOf(const net::Context& ctx);

// Guards: a handler that runs only for a valid access token (401 otherwise), or only for an
// account whose current role in the database is admin (401 without a valid token, 403
// "No permission" for other roles).
using AuthedHandler =
    std::function<boost::asio::awaitable<net::Response>(net::Context&, Principal)>;
net::Handler RequireUser(Sessions& sessions, AuthedHandler handler);
net::Handler RequireAdmin(Sessions& sessions, AuthedHandler handler);
// The same admin check as a route guard, run before any body byte is read (streamed routes); the
// Principal is left in ctx.guard_data.
net::Guard AdminGuard(Sessions& sessions);

// JSON of an account, keys in the original's order; profile only when set.
boost::json::object AccountJson(const Account& account);
// JSON of an album image: the original's keys in its order (optional dates only when set), then
// ours (thumbnailPath, previewPath, width, height, dateTimeOriginalOffset).
boost::json::object AlbumImageJson(const AlbumImage& image);

void AddSystemRoutes(net::Router& router, RouteDeps deps);
void AddAuthRoutes(net::Router& router, RouteDeps deps);
void AddUserRoutes(net::Router& router, RouteDeps deps);
void AddAlbumRoutes(net::Router& router, RouteDeps deps);

// What the upload routes need besides RouteDeps (which must have `albums`); owned by main.
struct UploadDeps {
    storage::ObjectStore* store = nullptr;  // staging objects
    UploadQueue* queue = nullptr;
    boost::asio::thread_pool* pool = nullptr;  // blocking store and broker calls
    UploadLimits limits;
    // The disk store's folder, served at GET /files/{key}; empty when objects live in S3.
    std::string files_root;
};
void AddUploadRoutes(net::Router& router, RouteDeps deps, UploadDeps& uploads);

// The built web client (web_routes.cpp); owned by main.
struct WebDeps {
    std::string root;              // index.html and assets/; empty: no web client is served
    std::string google_client_id;  // written into index.html's hatongsu-google-client-id meta
    UploadLimits upload_limits;    // written into its hatongsu-upload-limits meta
    std::string event_url;         // hatongsu-event-url: the event (chat) server's base URL
    std::string world_url;         // hatongsu-world-url: the world (avatars) server's base URL
};
// Add last: "/" and the catch-all prefix route that falls back to index.html.
void AddWebRoutes(net::Router& router, const WebDeps& web);

// All of the above, in order: the gateway's whole route table (docs/openapi.yaml describes it;
// tests/openapi_test.cpp holds the two to each other). `deps.albums` must be set; `uploads` and
// `web` must outlive the router.
void AddGatewayRoutes(net::Router& router, RouteDeps deps, UploadDeps& uploads, const WebDeps& web);

}  // namespace hatongsu::gateway::http
