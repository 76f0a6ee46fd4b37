// Where ProcessUpload reports how long each job and each of its stages took; the metrics adapter
// (adapter/metrics) turns the reports into histograms. Reports only: nothing an implementation
// does changes a job's outcome. Called from the decode threads at once: thread-safe.
#pragma once

#include <chrono>
#include <string_view>

namespace hatongsu::album {

class ProcessingMetrics {
public:
    enum class Stage {
        kRead,     // the staging object from the store
        kProcess,  // sniff, decode, EXIF, thumbnail and preview (ImageProcessor)
        kStore,    // the three objects into the store
        kRecord,   // the image row and the file's status
    };
    static constexpr std::string_view Name(Stage stage) {
        switch (stage) {
            case Stage::kRead:
                return "read";
            case Stage::kProcess:
                return "process";
            case Stage::kStore:
                return "store";
            case Stage::kRecord:
                return "record";
        }
        return "unknown";
    }

    virtual ~ProcessingMetrics() = default;
    virtual void StageTook(Stage stage, std::chrono::nanoseconds took) = 0;
    // A job ended with `result`: "done", "duplicate", "failed", "retry", "dead_letter", or
    // "redelivered" (its file was finished by an earlier delivery).
    virtual void JobTook(std::string_view result, std::chrono::nanoseconds took) = 0;
};

}  // namespace hatongsu::album
