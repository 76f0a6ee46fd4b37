#include "hatongsu/metrics/metrics.h"

#include <map>
#include <sstream>
#include <stdexcept>

#include <prometheus/text_serializer.h>

#include "hatongsu/metrics/process.h"

namespace hatongsu::metrics {

const std::vector<double>& LatencyBuckets() {
    static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return buckets;
}

std::string_view StatusClass(unsigned status) {
    static constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    if (status < 100 || status > 599) {
        return "other";
    }
    return kClasses[status / 100 - 1];
}

Registry::Registry()
    : registry_(std::make_shared<prometheus::Registry>()),
      process_(std::make_shared<ProcessCollector>()) {}

namespace {

// prometheus-cpp's builders throw std::invalid_argument on a bad name, and on a name already
// registered with another type (InsertBehavior::Merge returns the existing family of that name).
template <typename Builder>
auto& Register(
    Builder builder,
    const std::string& name,
    const std::string& help,
    prometheus::Registry& registry) {
    return builder.Name(name).Help(help).Register(registry);
}

}  // namespace

prometheus::Family<prometheus::Counter>& Registry::Counter(
    const std::string& name, const std::string& help) {
    return Register(prometheus::BuildCounter(), name, help, *registry_);
}

prometheus::Family<prometheus::Gauge>& Registry::Gauge(
    const std::string& name, const std::string& help) {
    return Register(prometheus::BuildGauge(), name, help, *registry_);
}

prometheus::Family<prometheus::Histogram>& Registry::Histogram(
    const std::string& name, const std::string& help) {
    return Register(prometheus::BuildHistogram(), name, help, *registry_);
}

void Registry::AddReadings(std::function<std::vector<Reading>()> read) {
    std::lock_guard lock(readers_mu_);
    readers_.push_back(std::move(read));
}

namespace {

// Readings as families, one per name, in the order the names first appear.
void AppendReadings(std::vector<Reading> readings, std::vector<prometheus::MetricFamily>& out) {
    std::map<std::string, std::size_t> index;
    for (Reading& r : readings) {
        auto [it, inserted] = index.try_emplace(r.name, out.size());
        if (inserted) {
            out.push_back(
                {r.name,
                 r.help,
                 r.counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge,
                 {}});
        }
        prometheus::ClientMetric metric;
        for (auto& [name, value] : r.labels) {
            metric.label.push_back({name, value});
        }
        if (r.counter) {
            metric.counter.value = r.value;
        } else {
            metric.gauge.value = r.value;
        }
        out[it->second].metric.push_back(std::move(metric));
    }
}

}  // namespace

std::string Registry::Render() const {
    std::vector<prometheus::MetricFamily> families = registry_->Collect();
    {
        std::lock_guard lock(readers_mu_);
        for (const auto& read : readers_) {
            AppendReadings(read(), families);
        }
    }
    std::vector<prometheus::MetricFamily> process = process_->Collect();
    families.insert(
        families.end(), std::make_move_iterator(process.begin()),
        std::make_move_iterator(process.end()));
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return out.str();
}

}  // namespace hatongsu::metrics
