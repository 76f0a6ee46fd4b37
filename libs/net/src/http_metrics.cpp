#include "http_metrics.h"

#include <string>

#include <boost/beast/http/verb.hpp>

namespace hatongsu::net {

namespace http = boost::beast::http;

HttpMetrics::HttpMetrics(metrics::Registry& registry)
    : in_flight(registry
                    .Gauge(
                        "hatongsu_http_requests_in_flight",
                        "HTTP requests being handled (read and not yet answered).")
                    .Add({})),
      connections(registry.Gauge("hatongsu_http_connections", "Open HTTP connections.").Add({})),
      keep_alive_(registry.KeepAlive()),
      requests_(registry.Counter(
          "hatongsu_http_requests_total",
          "HTTP requests answered, by method, route pattern and status class.")),
      latency_(registry.Histogram(
          "hatongsu_http_request_duration_seconds",
          "Time from a request's head to its answer's, by method, route pattern and status "
          "class.")) {}

void HttpMetrics::Observe(
    http::verb method, std::string_view route, unsigned status, double seconds) {
    // A verb Beast does not know is "OTHER": the label's values stay a fixed set.
    std::string_view verb = method == http::verb::unknown ? "OTHER" : http::to_string(method);
    std::string_view status_class = metrics::StatusClass(status);
    if (route.empty()) {
        route = kNoRoute;
    }
    thread_local std::string key;
    key.assign(verb).append(1, ' ').append(route).append(1, ' ').append(status_class);
    auto labels = [&] {
        return prometheus::Labels{
            {"method", std::string(verb)},
            {"route", std::string(route)},
            {"status", std::string(status_class)}};
    };
    requests_.Get(key, labels).Increment();
    latency_.Get(key, labels, metrics::LatencyBuckets()).Observe(seconds);
}

}  // namespace hatongsu::net
