// The process's own metrics, under the names every Prometheus client library uses, read from
// /proc at each scrape: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_threads and
// process_start_time_seconds. Registry adds it; exposed here for its test.
#pragma once

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace hatongsu::metrics {

class ProcessCollector final : public prometheus::Collectable {
public:
    // Families whose /proc file cannot be read are left out (never a scrape error).
    std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace hatongsu::metrics
