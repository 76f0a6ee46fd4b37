// What the HTTP server counts when ServerOptions::metrics is set (names in docs/operations.md):
// requests by method, route pattern and status class, their latency, and what is open now.
#pragma once

#include <memory>
#include <string_view>

#include <boost/beast/http/verb.hpp>

#include "hatongsu/metrics/metrics.h"

namespace hatongsu::net {

class HttpMetrics final {
public:
    explicit HttpMetrics(metrics::Registry& registry);

    // One answer: `route` is the route's pattern, or one of the names below when none matched.
    // `seconds` runs from the head's arrival until the answer's head is ready to write.
    void Observe(
        boost::beast::http::verb method, std::string_view route, unsigned status, double seconds);

    static constexpr std::string_view kNoRoute = "(none)";         // 404s, refused heads
    static constexpr std::string_view kPreflight = "(preflight)";  // CORS preflights

    prometheus::Gauge& in_flight;    // requests read and not yet answered
    prometheus::Gauge& connections;  // open connections (WebSockets included)

private:
    std::shared_ptr<const void> keep_alive_;  // the registry's families outlive every connection
    metrics::Children<prometheus::Counter> requests_;
    metrics::Children<prometheus::Histogram> latency_;
};

}  // namespace hatongsu::net
