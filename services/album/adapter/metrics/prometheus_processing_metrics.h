// ProcessingMetrics as Prometheus histograms: hatongsu_album_stage_seconds{stage} and
// hatongsu_album_job_seconds{result} (whose _count is the jobs finished by result).
#pragma once

#include <array>

#include "hatongsu/metrics/metrics.h"
#include "services/album/port/processing_metrics.h"

namespace hatongsu::album::metrics_adapter {

class PrometheusProcessingMetrics final : public ProcessingMetrics {
public:
    explicit PrometheusProcessingMetrics(metrics::Registry& registry);

    void StageTook(Stage stage, std::chrono::nanoseconds took) override;
    void JobTook(std::string_view result, std::chrono::nanoseconds took) override;

private:
    std::array<prometheus::Histogram*, 4> stages_{};  // by Stage
    metrics::Children<prometheus::Histogram> jobs_;
};

}  // namespace hatongsu::album::metrics_adapter
