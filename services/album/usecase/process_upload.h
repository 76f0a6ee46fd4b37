// The worker's use case for one queued upload file (issue 6 items 5-6, spec §5.3 with weak points
// 16-23): mark it processing (a stable image id) -> read the staging object (bounded) -> sniff,
// decode, EXIF dates and derivatives (ImageProcessor) -> capture dates -> dedupe by sha256 ->
// put "<id>.<ext>", "<id>.thumb.webp", "<id>.preview.jpg" -> insert the row and mark the file
// done in one transaction -> delete the staging object.
//
// Idempotent under re-delivery: a file already done/duplicate/failed only has its staging object
// deleted; a file left in processing keeps its image id, so the same keys are overwritten and the
// row is inserted once. A sha256 conflict at insert (a concurrent identical upload) deletes the
// three objects just written and reports the file as a duplicate.
//
// Blocking and CPU-heavy: run it on the worker pool. Thread-safe; its one piece of state is the
// turns to decode: at most max_concurrent_decodes jobs are in ImageProcessor::Process at a time,
// so a pool with more threads than cores overlaps one job's reads, writes and commits with the
// others' decoding without decoding more images at once than there are cores.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <semaphore>
#include <string>

#include "hatongsu/core/clock.h"
#include "hatongsu/jobs/upload_job.h"
#include "hatongsu/storage/object_store.h"
#include "services/album/port/album_image_repository.h"
#include "services/album/port/id_generator.h"
#include "services/album/port/image_processor.h"
#include "services/album/port/processing_metrics.h"
#include "services/album/port/upload_batch_repository.h"
#include "services/album/usecase/delete_album_images.h"

namespace hatongsu::album {

using UploadJob = jobs::UploadJob;  // the queue message (libs/jobs)

// What the queue adapter does with the message.
enum class JobAction {
    kAck,         // finished: done, duplicate, or failed for good (status recorded)
    kRetry,       // a dependency is unavailable: redeliver later (back-off, then dead-letter)
    kDeadLetter,  // can never be processed (no such upload file): park it with `reason`
};

struct JobOutcome {
    JobAction action = JobAction::kAck;
    UploadStatus status = UploadStatus::kQueued;  // the file's status afterwards (kAck)
    std::string reason;        // failed: NOT_AN_IMAGE, TOO_MANY_PIXELS, CORRUPT_IMAGE, TOO_LARGE,
                               // STAGING_MISSING; retry/dead-letter: why
    bool redelivered = false;  // the file was finished by an earlier delivery: nothing was done
};

struct ProcessUploadLimits {
    uint64_t max_file_bytes = 200ull << 20;  // a staging object over it fails as TOO_LARGE
    DeleteRetry delete_retry{};
    int max_concurrent_decodes = 0;  // jobs in ImageProcessor::Process at once; 0: no limit
};

class ProcessUpload final {
public:
    ProcessUpload(
        UploadBatchRepository& batches,
        AlbumImageRepository& images,
        storage::ObjectStore& store,
        ImageProcessor& processor,
        IdGenerator& ids,
        core::Clock& clock,
        ProcessUploadLimits limits = {},
        ProcessingMetrics* metrics = nullptr)  // where timings go; nullptr: nowhere
        : batches_(batches),
          images_(images),
          store_(store),
          processor_(processor),
          ids_(ids),
          clock_(clock),
          limits_(limits),
          metrics_(metrics),
          decode_turns_(
              limits.max_concurrent_decodes > 0 ? limits.max_concurrent_decodes
                                                : std::numeric_limits<int>::max()) {}

    // The message names the file (batch_id, index); its other fields are taken from the upload
    // file's row, which CreateUploadBatch wrote.
    JobOutcome Execute(const UploadJob& message);
    // The queue is about to dead-letter this job after its last retry: the file shows as failed
    // with `reason` (its staging object stays, so the dead-lettered message can be replayed).
    // Best effort: the database may be what kept failing.
    void GiveUp(const UploadJob& message, const std::string& reason);

private:
    using Steady = std::chrono::steady_clock;
    JobOutcome Run(const UploadJob& message);  // Execute, less the job's own timing
    void Took(ProcessingMetrics::Stage stage, Steady::time_point since) const;
    JobOutcome Fail(const UploadJob& job, const std::string& reason);
    JobOutcome Duplicate(const UploadJob& job, const std::string& existing_id);
    void DeleteStaging(const UploadJob& job);

    UploadBatchRepository& batches_;  // all owned by main, outlive this object
    AlbumImageRepository& images_;
    storage::ObjectStore& store_;
    ImageProcessor& processor_;
    IdGenerator& ids_;
    core::Clock& clock_;  // the capture time of a file with no date at all: its upload
    const ProcessUploadLimits limits_;
    ProcessingMetrics* const metrics_;
    std::counting_semaphore<std::numeric_limits<int>::max()> decode_turns_;
};

}  // namespace hatongsu::album
