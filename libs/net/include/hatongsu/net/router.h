// Method + path -> handler. Paths match case-insensitively and tolerate one trailing slash (as
// Express does); ":name" segments capture into Context::params. HEAD is answered for GET routes.
// Routes are added before the server starts; lookups are then read-only and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hatongsu/net/http.h"

namespace hatongsu::net {

class Router final {
public:
    void Add(http::verb method, std::string_view pattern, Handler handler);

    // The handler for the request, or nullptr (then the server answers 404 "Cannot GET /x").
    const Handler* Match(http::verb method, std::string_view path, Context& ctx) const;

private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;  // lower-cased; ":x" captures
        Handler handler;
    };
    std::vector<Route> routes_;
};

}  // namespace hatongsu::net
