// The web client (web/dist) at "/": hashed assets under /assets/ kept by browsers for a year (the
// gallery's models, under fixed names, for five minutes and to any origin), the
// other files of the build's top folder revalidated on each use, and index.html (no-cache) for "/"
// and for every other GET that accepts HTML and that no API route answers, so that the client's
// own routes (/dashboard/album, ...) survive a reload. API routes keep their paths: they are
// exact or longer prefix routes, which the router tries first.
#include <array>
#include <optional>

#include "hatongsu/core/file.h"
#include "hatongsu/core/sha256.h"
#include "hatongsu/core/text.h"
#include "hatongsu/log/log.h"
#include "hatongsu/net/file_reply.h"
#include "hatongsu/storage/object_store.h"
#include "services/gateway/adapter/http/routes.h"

namespace hatongsu::gateway::http {
namespace {

using status = boost::beast::http::status;
using boost::beast::http::field;
using boost::beast::http::verb;

// index.html's settings for the client, filled in at each request: <meta name="..." content="">.
constexpr std::string_view kGoogleMeta = "hatongsu-google-client-id";
constexpr std::string_view kUploadLimitsMeta = "hatongsu-upload-limits";
constexpr std::string_view kEventUrlMeta = "hatongsu-event-url";
constexpr std::string_view kWorldUrlMeta = "hatongsu-world-url";

// What the page may load: its own scripts and styles only; images from anywhere (object stores
// hand out their own URLs); the gallery's servers on other ports; Google's sign-in when set up.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' https://accounts.google.com; "
    "style-src 'self' 'unsafe-inline' https://accounts.google.com; img-src 'self' data: blob: "
    "http: https:; connect-src 'self' http: https: ws: wss:; frame-src "
    "https://accounts.google.com; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

bool AcceptsHtml(const net::Request& req) {
    auto it = req.find(field::accept);
    return it != req.end() && core::AsciiLower(it->value()).find("text/html") != std::string::npos;
}

std::string HtmlAttribute(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string EmptyMeta(std::string_view name) {
    return "name=\"" + std::string(name) + "\" content=\"\"";
}

// Writes `value` into the empty content of index.html's meta tag `name`; false when there is none.
bool FillMeta(std::string& html, std::string_view name, std::string_view value) {
    std::string empty = EmptyMeta(name);
    auto at = html.find(empty);
    if (at == std::string::npos) {
        return false;
    }
    html.replace(
        at, empty.size(),
        "name=\"" + std::string(name) + "\" content=\"" + HtmlAttribute(value) + "\"");
    return true;
}

// "<files> <bytes per file> <bytes per request>": the limits the upload page checks before sending.
std::string UploadLimitsText(const UploadLimits& limits) {
    return std::to_string(limits.max_files) + " " + std::to_string(limits.max_file_bytes) + " " +
           std::to_string(limits.max_total_bytes);
}

// index.html, read at each request (a few KiB: a rebuild shows at once), with the client's
// settings written into its meta tags.
net::Response Index(const net::Context& ctx, const WebDeps& web) {
    auto html = core::ReadFile(web.root + "/index.html");
    if (!html.ok()) {
        return net::JsonError(ctx, status::not_found, "The web client is not built (make build)");
    }
    FillMeta(*html, kGoogleMeta, web.google_client_id);
    FillMeta(*html, kUploadLimitsMeta, UploadLimitsText(web.upload_limits));
    FillMeta(*html, kEventUrlMeta, web.event_url);
    FillMeta(*html, kWorldUrlMeta, web.world_url);
    std::string etag = "\"" + core::Sha256Hex(*html).substr(0, 32) + "\"";
    auto match = ctx.request.find(field::if_none_match);
    bool fresh = match != ctx.request.end() && net::IfNoneMatchMatches(match->value(), etag);
    net::Response res = net::Text(ctx, fresh ? status::not_modified : status::ok, "");
    if (fresh) {
        res.erase(field::content_length);
    } else {
        res.body() = std::move(*html);
        res.prepare_payload();
    }
    res.set(field::etag, etag);
    res.set(field::cache_control, "no-cache");
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    // The browsers' default; Google's sign-in checks the page's origin in the Referer it gets.
    res.set("Referrer-Policy", "strict-origin-when-cross-origin");
    return res;
}

// A file of the build, or nullopt when `rest` (the path after "/", as sent) names none.
std::optional<net::Reply> BuildFile(const WebDeps& web, std::string_view rest) {
    bool asset = rest.starts_with("assets/");
    // Other than assets, only the top folder's files (favicon, robots.txt); never index.html,
    // which Index() answers with its headers.
    bool top_file = rest.find('/') == std::string_view::npos && rest != "index.html";
    if ((!asset && !top_file) || !storage::ValidateKey(rest).ok()) {
        return std::nullopt;
    }
    auto file = net::OpenFile(web.root + "/" + std::string(rest));
    if (!file.ok()) {
        return std::nullopt;
    }
    file->content_type = net::ContentTypeFor(rest);
    // Asset names carry a hash of their content: a new build makes new names.
    file->cache_control = asset ? "public, max-age=31536000, immutable" : "no-cache";
    return net::Reply{std::move(*file)};
}

// The gallery's models (web/scripts/build-models.mjs), built into assets/ under fixed names: for
// our gallery and for the original frontend on another origin, hence open to every origin.
constexpr std::array<std::string_view, 2> kModels = {"world.glb", "player.glb"};

// A model's file, revalidated after five minutes (its name carries no hash: a rebuild keeps it);
// the ETag makes that a 304.
net::Reply ModelFile(const net::Context& ctx, const WebDeps& web, std::string_view name) {
    auto file = net::OpenFile(web.root + "/assets/" + std::string(name));
    if (!file.ok()) {
        return net::Reply{net::NoRoute(ctx)};
    }
    file->content_type = "model/gltf-binary";
    file->cache_control = "public, max-age=300";
    return net::Reply{std::move(*file)};
}

}  // namespace

void AddWebRoutes(net::Router& router, const WebDeps& web) {
    if (web.root.empty()) {
        return;
    }
    // What a deployment would otherwise only notice as a missing page or a missing button.
    if (auto html = core::ReadFile(web.root + "/index.html"); !html.ok()) {
        log::Warn("the web client is not built: / answers 404", {{"GATEWAY_WEB_DIR", web.root}});
    } else if (
        !web.google_client_id.empty() && html->find(EmptyMeta(kGoogleMeta)) == std::string::npos) {
        log::Warn(
            "GOOGLE_CLIENT_ID is set but index.html has no empty hatongsu-google-client-id meta "
            "tag: the web client shows no Google button",
            {{"GATEWAY_WEB_DIR", web.root}});
    }
    router.Add(verb::get, "/", [&web](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
        co_return Index(ctx, web);
    });
    for (std::string_view name : kModels) {
        router.Add(
            verb::get, "/assets/" + std::string(name),
            [&web, name](net::Context& ctx) -> boost::asio::awaitable<net::Reply> {
                co_return ModelFile(ctx, web, name);
            },
            {.public_cors = true});
    }
    // The shortest prefix: tried after every exact route and every longer prefix.
    router.AddPrefix(
        verb::get, "/", [&web](net::Context& ctx) -> boost::asio::awaitable<net::Reply> {
            const std::string& rest = ctx.params["*"];
            if (auto file = BuildFile(web, rest)) {
                co_return std::move(*file);
            }
            if (!rest.starts_with("assets/") && AcceptsHtml(ctx.request)) {
                co_return net::Reply{Index(ctx, web)};
            }
            co_return net::Reply{net::NoRoute(ctx)};
        });
}

}  // namespace hatongsu::gateway::http
