#include "hatongsu/net/router.h"

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

void Router::Add(http::verb method, std::string_view pattern, Handler handler) {
    Route route{method, {}, std::move(handler)};
    for (std::string_view seg : SplitPath(pattern)) {
        route.segments.push_back(seg.starts_with(':') ? std::string(seg) : core::AsciiLower(seg));
    }
    routes_.push_back(std::move(route));
}

const Handler* Router::Match(http::verb method, std::string_view path, Context& ctx) const {
    if (path.empty() || path.front() != '/') {
        return nullptr;
    }
    std::vector<std::string_view> segs = SplitPath(path);
    http::verb wanted = method == http::verb::head ? http::verb::get : method;
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
            return &route.handler;
        }
    }
    return nullptr;
}

}  // namespace hatongsu::net
