#include "services/album/adapter/metrics/prometheus_processing_metrics.h"

#include <string>

namespace hatongsu::album::metrics_adapter {
namespace {

double Seconds(std::chrono::nanoseconds took) {
    return std::chrono::duration<double>(took).count();
}

}  // namespace

PrometheusProcessingMetrics::PrometheusProcessingMetrics(metrics::Registry& registry)
    : jobs_(registry.Histogram(
          "hatongsu_album_job_seconds",
          "Time to process one uploaded file, by result (done, duplicate, failed, retry, "
          "dead_letter, redelivered).")) {
    auto& family = registry.Histogram(
        "hatongsu_album_stage_seconds",
        "Time of one stage of processing an uploaded file (read, process, store, record).");
    for (Stage stage : {Stage::kRead, Stage::kProcess, Stage::kStore, Stage::kRecord}) {
        stages_.at(static_cast<std::size_t>(stage)) =
            &family.Add({{"stage", std::string(Name(stage))}}, metrics::LatencyBuckets());
    }
}

void PrometheusProcessingMetrics::StageTook(Stage stage, std::chrono::nanoseconds took) {
    stages_.at(static_cast<std::size_t>(stage))->Observe(Seconds(took));
}

void PrometheusProcessingMetrics::JobTook(std::string_view result, std::chrono::nanoseconds took) {
    jobs_
        .Get(
            result,
            [&] {
                return prometheus::Labels{{"result", std::string(result)}};
            },
            metrics::LatencyBuckets())
        .Observe(Seconds(took));
}

}  // namespace hatongsu::album::metrics_adapter
