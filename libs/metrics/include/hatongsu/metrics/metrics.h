// A process's metrics for Prometheus. One Registry per process, built in main and handed to what
// counts (the HTTP server, gRPC servers and channels, the database pool, the queue, the use cases'
// metric adapters); Render() is what GET /metrics answers. A component given no registry counts
// nothing: that is the *_METRICS=0 setting. Names follow Prometheus's conventions
// (hatongsu_<area>_<what>_<unit>, counters end in _total, durations in seconds), and label values
// are bounded by construction: route templates, method names, status classes, never raw paths or
// ids. docs/operations.md lists every metric.
//
//   metrics::Registry registry;
//   auto& jobs = registry.Counter("hatongsu_jobs_total", "Jobs finished, by outcome.");
//   prometheus::Counter& done = jobs.Add({{"outcome", "done"}});  // keep it: Add() takes a lock
//   done.Increment();
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace hatongsu::metrics {

// The Content-Type of Render()'s text (the Prometheus text exposition format 0.0.4).
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Upper bounds in seconds of every duration histogram's buckets: 0.5 ms to 10 s.
const std::vector<double>& LatencyBuckets();

// "1xx" ... "5xx" for an HTTP status; "other" outside 100..599.
std::string_view StatusClass(unsigned status);

// One value another component already keeps (a room's counters), read at scrape time: see
// Registry::AddReadings.
struct Reading {
    std::string name;  // readings of one name are one family: give them the same help and kind
    std::string help;
    bool counter = false;  // else a gauge
    double value = 0;
    prometheus::Labels labels = {};
};

// A gauge reading, and a counter reading (with labels when one family has several).
template <typename Number>
Reading GaugeReading(std::string name, std::string help, Number value) {
    return {std::move(name), std::move(help), false, static_cast<double>(value), {}};
}
template <typename Number>
Reading CounterReading(
    std::string name, std::string help, Number value, prometheus::Labels labels = {}) {
    return {std::move(name), std::move(help), true, static_cast<double>(value), std::move(labels)};
}

class Registry final {
public:
    Registry();  // with the process's own metrics (process.h), read at each Render()
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The family `name`, created on first use and the same family for every later caller.
    // Thread-safe. Throws std::invalid_argument on a name Prometheus does not allow, or one
    // already used by a family of another type (programming errors, found by any test).
    prometheus::Family<prometheus::Counter>& Counter(
        const std::string& name, const std::string& help);
    prometheus::Family<prometheus::Gauge>& Gauge(const std::string& name, const std::string& help);
    prometheus::Family<prometheus::Histogram>& Histogram(
        const std::string& name, const std::string& help);

    // `read` runs at each Render() and its readings are rendered with the rest: for values a
    // component counts anyway. It must be thread-safe, and what it reads must outlive every
    // Render() (stop the admin server first: the runtime drains it before main's locals go).
    void AddReadings(std::function<std::vector<Reading>()> read);

    // Every family in the text exposition format. Thread-safe.
    std::string Render() const;

    // Keeps the families (and the metrics in them) alive for as long as the holder needs them,
    // also past this object: for counters touched by work that may end after main's locals
    // (a connection's coroutine destroyed with the io_context).
    std::shared_ptr<const void> KeepAlive() const { return registry_; }

private:
    std::shared_ptr<prometheus::Registry> registry_;
    std::shared_ptr<prometheus::Collectable> process_;
    mutable std::mutex readers_mu_;
    std::vector<std::function<std::vector<Reading>()>> readers_;  // guarded by readers_mu_
};

// A family's children found by a key the caller spells from its (bounded) label values, each
// created on first use: for hot paths, where Family::Add (a lock and a search by label map) for
// every event would cost more than the event's own work. Thread-safe; lookups of existing children
// take a shared lock only.
//
//   metrics::Children<prometheus::Histogram> latency(family);
//   latency.Get(key, [&] { return prometheus::Labels{{"route", route}}; }).Observe(seconds);
template <typename Metric>
class Children final {
public:
    explicit Children(prometheus::Family<Metric>& family) : family_(family) {}

    // The child for `key`; on first use, created with labels() (and extra Add() arguments, e.g. a
    // histogram's buckets).
    template <typename MakeLabels, typename... Args>
    Metric& Get(std::string_view key, MakeLabels&& labels, Args&&... args) {
        {
            std::shared_lock lock(mu_);
            // absl's own string_view: Debian's Abseil is not built on std::string_view.
            if (auto it = children_.find(absl::string_view(key.data(), key.size()));
                it != children_.end()) {
                return *it->second;
            }
        }
        std::unique_lock lock(mu_);
        if (auto it = children_.find(absl::string_view(key.data(), key.size()));
            it != children_.end()) {
            return *it->second;
        }
        // Add first: if it throws, no empty entry is left behind.
        Metric& child = family_.Add(labels(), std::forward<Args>(args)...);
        children_.emplace(std::string(key), &child);
        return child;
    }

private:
    prometheus::Family<Metric>& family_;
    std::shared_mutex mu_;
    absl::flat_hash_map<std::string, Metric*> children_;
};

}  // namespace hatongsu::metrics
