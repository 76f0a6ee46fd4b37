#include "hatongsu/net/router.h"

#include <algorithm>

#include "hatongsu/core/text.h"

namespace hatongsu::net {
namespace {

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

}  // namespace

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
    Route route{method, {}, {}, std::move(handler), std::move(options)};
    for (std::string_view seg : SplitPath(pattern)) {
        route.segments.push_back(seg.starts_with(':') ? std::string(seg) : core::AsciiLower(seg));
    }
    routes_.push_back(std::move(route));
}

void Router::AddPrefixRoute(
    http::verb method,
    std::string_view prefix,
    std::variant<Handler, ReplyHandler> handler,
    RouteOptions options) {
    prefix_routes_.push_back(
        Route{method, {}, core::AsciiLower(prefix), std::move(handler), std::move(options)});
    std::stable_sort(
        prefix_routes_.begin(), prefix_routes_.end(),
        [](const Route& a, const Route& b) { return a.prefix.size() > b.prefix.size(); });
}

const Router::Route* Router::Match(http::verb method, std::string_view path, Context& ctx) const {
    http::verb wanted = method == http::verb::head ? http::verb::get : method;
    if (path.empty() || path.front() != '/') {
        return nullptr;
    }
    std::vector<std::string_view> segs = SplitPath(path);
    for (const Route& route : routes_) {
        if (route.method != wanted || route.segments.size() != segs.size()) {
            continue;
        }
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            const std::string& want = route.segments[i];
            if (want.starts_with(':')) {
                ok = !segs[i].empty();
                params[want.substr(1)] = std::string(segs[i]);
            } else {
                ok = core::EqualsIgnoreCase(want, segs[i]);
            }
        }
        if (ok) {
            ctx.params = std::move(params);
            return &route;
        }
    }
    std::string_view raw = ctx.raw_path;
    for (const Route& route : prefix_routes_) {
        if (route.method == wanted && raw.size() > route.prefix.size() &&
            core::EqualsIgnoreCase(raw.substr(0, route.prefix.size()), route.prefix)) {
            ctx.params = {{"*", std::string(raw.substr(route.prefix.size()))}};
            return &route;
        }
    }
    return nullptr;
}

}  // namespace hatongsu::net
