#include "hatongsu/net/router.h"

#include <algorithm>
#include <map>
#include <optional>

#include "hatongsu/core/text.h"

namespace hatongsu::net {

std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.ends_with('/') && path.size() > 1) {
        path.remove_suffix(1);  // one trailing slash is tolerated
    }
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            slash = path.size();
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    if (out.size() == 1 && out[0].empty()) {
        out.clear();
    }
    return out;
}

namespace {

// "/album/:id" for a pattern's segments {"album", ":id"}.
std::string Label(const std::vector<std::string>& segments) {
    std::string label;
    for (const std::string& segment : segments) {
        label += "/" + segment;
    }
    return label.empty() ? "/" : label;
}

std::vector<std::string> PatternSegments(std::string_view pattern) {
    std::vector<std::string> out;
    for (std::string_view seg : SplitPath(pattern)) {
        out.push_back(seg.starts_with(':') ? std::string(seg) : core::AsciiLower(seg));
    }
    return out;
}

// The captures when `segs` match the pattern `want`, else nullopt.
std::optional<std::map<std::string, std::string>> MatchSegments(
    const std::vector<std::string>& want, const std::vector<std::string_view>& segs) {
    if (want.size() != segs.size()) {
        return std::nullopt;
    }
    std::map<std::string, std::string> params;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        if (want[i].starts_with(':')) {
            if (segs[i].empty()) {
                return std::nullopt;
            }
            params[want[i].substr(1)] = std::string(segs[i]);
        } else if (!core::EqualsIgnoreCase(want[i], segs[i])) {
            return std::nullopt;
        }
    }
    return params;
}

}  // namespace

void Router::AddWebSocket(
    std::string_view pattern, WebSocketHandler handler, WebSocketOptions options) {
    std::vector<std::string> segments = PatternSegments(pattern);
    std::string label = Label(segments);
    websocket_routes_.push_back(WebSocketRoute{
        std::move(segments), std::move(handler), std::move(options), std::move(label)});
}

const Router::WebSocketRoute* Router::MatchWebSocket(std::string_view path, Context& ctx) const {
    if (path.empty() || path.front() != '/') {
        return nullptr;
    }
    std::vector<std::string_view> segs = SplitPath(path);
    for (const WebSocketRoute& route : websocket_routes_) {
        if (auto params = MatchSegments(route.segments, segs)) {
            ctx.params = std::move(*params);
            ctx.route = route.label;
            return &route;
        }
    }
    return nullptr;
}

void Router::Add(
    http::verb method, std::string_view pattern, Handler handler, RouteOptions options) {
    AddExact(method, pattern, std::move(handler), std::move(options));
}

void Router::Add(
    http::verb method, std::string_view pattern, ReplyHandler handler, RouteOptions options) {
    AddExact(method, pattern, std::move(handler), std::move(options));
}

void Router::AddPrefix(
    http::verb method, std::string_view prefix, Handler handler, RouteOptions options) {
    AddPrefixRoute(method, prefix, std::move(handler), std::move(options));
}

void Router::AddPrefix(
    http::verb method, std::string_view prefix, ReplyHandler handler, RouteOptions options) {
    AddPrefixRoute(method, prefix, std::move(handler), std::move(options));
}

void Router::AddExact(
    http::verb method,
    std::string_view pattern,
    std::variant<Handler, ReplyHandler> handler,
    RouteOptions options) {
    std::vector<std::string> segments = PatternSegments(pattern);
    std::string label = Label(segments);
    routes_.push_back(Route{
        method, std::move(segments), {}, std::move(handler), std::move(options), std::move(label)});
}

void Router::AddPrefixRoute(
    http::verb method,
    std::string_view prefix,
    std::variant<Handler, ReplyHandler> handler,
    RouteOptions options) {
    std::string lower = core::AsciiLower(prefix);
    std::string label = lower + "*";
    prefix_routes_.push_back(Route{
        method, {}, std::move(lower), std::move(handler), std::move(options), std::move(label)});
    std::stable_sort(
        prefix_routes_.begin(), prefix_routes_.end(),
        [](const Route& a, const Route& b) { return a.prefix.size() > b.prefix.size(); });
}

std::vector<Router::RouteInfo> Router::Routes() const {
    std::vector<RouteInfo> out;
    out.reserve(routes_.size() + prefix_routes_.size());
    for (const Route& route : routes_) {
        out.push_back(RouteInfo{route.method, route.label, false});
    }
    for (const Route& route : prefix_routes_) {
        out.push_back(RouteInfo{route.method, route.prefix, true});
    }
    return out;
}

const Router::Route* Router::Match(http::verb method, std::string_view path, Context& ctx) const {
    http::verb wanted = method == http::verb::head ? http::verb::get : method;
    if (path.empty() || path.front() != '/') {
        return nullptr;
    }
    std::vector<std::string_view> segs = SplitPath(path);
    for (const Route& route : routes_) {
        if (route.method != wanted) {
            continue;
        }
        if (auto params = MatchSegments(route.segments, segs)) {
            ctx.params = std::move(*params);
            ctx.route = route.label;
            return &route;
        }
    }
    std::string_view raw = ctx.raw_path;
    for (const Route& route : prefix_routes_) {
        if (route.method == wanted && raw.size() > route.prefix.size() &&
            core::EqualsIgnoreCase(raw.substr(0, route.prefix.size()), route.prefix)) {
            ctx.params = {{"*", std::string(raw.substr(route.prefix.size()))}};
            ctx.route = route.label;
            return &route;
        }
    }
    return nullptr;
}

}  // namespace hatongsu::net
