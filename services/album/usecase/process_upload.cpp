#include "services/album/usecase/process_upload.h"

#include "hatongsu/log/log.h"
#include "services/album/domain/exif_date.h"

namespace hatongsu::album {
namespace {

JobOutcome Retry(const absl::Status& status, std::string_view step) {
    log::Warn(
        "upload job will be retried", {{"step", step}, {"error", std::string(status.message())}});
    return {JobAction::kRetry, UploadStatus::kProcessing, std::string(step)};
}

bool IsKnownImageFailure(std::string_view reason) {
    return reason == "NOT_AN_IMAGE" || reason == "TOO_MANY_PIXELS" || reason == "CORRUPT_IMAGE";
}

}  // namespace

void ProcessUpload::DeleteStaging(const UploadJob& job) {
    absl::Status s = DeleteObjectWithRetry(store_, job.staging_key, limits_.delete_retry);
    if (!s.ok()) {
        log::Warn(
            "staging object left behind",
            {{"key", job.staging_key}, {"error", std::string(s.message())}});
    }
}

JobOutcome ProcessUpload::Fail(const UploadJob& job, const std::string& reason) {
    if (absl::Status s = batches_.MarkFailed(job.batch_id, job.index, reason); !s.ok()) {
        return Retry(s, "mark failed");
    }
    DeleteStaging(job);
    return {JobAction::kAck, UploadStatus::kFailed, reason};
}

void ProcessUpload::GiveUp(const UploadJob& job, const std::string& reason) {
    if (absl::Status s = batches_.MarkFailed(job.batch_id, job.index, reason); !s.ok()) {
        log::Warn(
            "could not mark a dead-lettered upload failed",
            {{"batch", job.batch_id}, {"index", job.index}, {"error", std::string(s.message())}});
    }
}

JobOutcome ProcessUpload::Duplicate(const UploadJob& job, const std::string& existing_id) {
    if (absl::Status s = batches_.MarkDuplicate(job.batch_id, job.index, existing_id); !s.ok()) {
        return Retry(s, "mark duplicate");
    }
    DeleteStaging(job);
    return {JobAction::kAck, UploadStatus::kDuplicate, ""};
}

void ProcessUpload::Took(ProcessingMetrics::Stage stage, Steady::time_point since) const {
    if (metrics_ != nullptr) {
        metrics_->StageTook(stage, Steady::now() - since);
    }
}

JobOutcome ProcessUpload::Execute(const UploadJob& message) {
    const auto start = Steady::now();
    JobOutcome outcome = Run(message);
    if (metrics_ != nullptr) {
        std::string_view result = "retry";
        if (outcome.redelivered) {
            result = "redelivered";  // counted once already, by the delivery that did the work
        } else if (outcome.action == JobAction::kDeadLetter) {
            result = "dead_letter";
        } else if (outcome.action == JobAction::kAck) {
            result = outcome.status == UploadStatus::kDone        ? "done"
                     : outcome.status == UploadStatus::kDuplicate ? "duplicate"
                                                                  : "failed";
        }
        metrics_->JobTook(result, Steady::now() - start);
    }
    return outcome;
}

JobOutcome ProcessUpload::Run(const UploadJob& message) {
    using Stage = ProcessingMetrics::Stage;
    auto record = batches_.StartProcessing(message.batch_id, message.index, ids_.NewId());
    if (record.status().code() == absl::StatusCode::kNotFound ||
        record.status().code() == absl::StatusCode::kInvalidArgument) {
        return {JobAction::kDeadLetter, UploadStatus::kQueued, "UNKNOWN_UPLOAD_FILE"};
    }
    if (!record.ok()) {
        return Retry(record.status(), "start processing");
    }
    // The upload file's row (written through the authenticated CreateUploadBatch call) is what
    // counts; the message only names it. So a forged or stale message can never make the worker
    // read or delete another object than the one staged for this file.
    UploadJob job = message;
    job.staging_key = record->file.staging_key;
    job.filename = record->file.filename;
    job.mime_type = record->file.mime_type;
    job.size = record->file.size;
    job.sha256 = record->file.sha256;
    job.last_modified_ms = record->file.last_modified_ms;
    if (message.staging_key != job.staging_key || message.sha256 != job.sha256) {
        log::Warn(
            "upload message differs from its upload file; using the file's",
            {{"batch_id", job.batch_id}, {"index", job.index}});
    }
    if (IsFinal(record->status)) {
        DeleteStaging(job);  // a re-delivery of a finished job
        return {JobAction::kAck, record->status, record->reason, /*redelivered=*/true};
    }
    const std::string id = record->image_id;

    auto stage_start = Steady::now();
    auto bytes = store_.Get(job.staging_key, limits_.max_file_bytes);
    Took(Stage::kRead, stage_start);
    if (bytes.status().code() == absl::StatusCode::kResourceExhausted) {
        return Fail(job, "TOO_LARGE");
    }
    if (bytes.status().code() == absl::StatusCode::kNotFound ||
        bytes.status().code() == absl::StatusCode::kInvalidArgument) {
        return Fail(job, "STAGING_MISSING");
    }
    if (!bytes.ok()) {
        return Retry(bytes.status(), "read staging");
    }

    absl::StatusOr<ProcessedImage> processed;
    decode_turns_.acquire();
    {
        struct GiveBack {
            std::counting_semaphore<std::numeric_limits<int>::max()>& turns;
            ~GiveBack() { turns.release(); }
        } give_back{decode_turns_};
        stage_start = Steady::now();
        processed = processor_.Process(*bytes);
    }
    Took(Stage::kProcess, stage_start);
    if (processed.status().code() == absl::StatusCode::kInvalidArgument) {
        std::string reason(processed.status().message());
        return Fail(job, IsKnownImageFailure(reason) ? reason : "CORRUPT_IMAGE");
    }
    if (!processed.ok()) {
        return Retry(processed.status(), "process image");
    }
    CaptureDates dates = ChooseCaptureDates(processed->exif, job.last_modified_ms);
    if (!dates.date_time_original) {
        // No EXIF date and no lastModified: the upload time (UTC) keeps the image in the
        // capture order instead of outside every listing.
        int64_t now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
                .count();
        dates.date_time_original = LocalDateTime{now_ms};
        dates.original_offset_minutes = 0;
    }

    auto existing = images_.FindBySha256(job.sha256);
    if (!existing.ok()) {
        return Retry(existing.status(), "find by sha256");
    }
    if (*existing && (*existing)->id != id) {
        return Duplicate(job, (*existing)->id);
    }

    AlbumImage image;
    image.id = id;
    image.filename = job.filename;
    image.object_key = OriginalKey(id, processed->extension);
    image.thumbnail_key = ThumbnailKey(id);
    image.preview_key = PreviewKey(id);
    image.mime_type = processed->mime_type;
    image.size = static_cast<int64_t>(bytes->size());
    image.width = processed->width;
    image.height = processed->height;
    image.sha256 = job.sha256;
    image.date_time = dates.date_time;
    image.date_time_original = dates.date_time_original;
    image.date_time_digitized = dates.date_time_digitized;
    image.original_offset_minutes = dates.original_offset_minutes;

    if (!*existing) {
        // Keys depend only on the image id, so a retry after a crash overwrites these objects.
        struct Put {
            const std::string& key;
            std::string_view bytes;
            std::string content_type;
        };
        const Put puts[] = {
            {image.thumbnail_key, processed->thumbnail_webp, "image/webp"},
            {image.preview_key, processed->preview_jpeg, "image/jpeg"}};
        stage_start = Steady::now();
        // The original is the staging object under its final key: the store links or copies it
        // on its side (no second write of its bytes).
        if (absl::Status s = store_.Copy(
                job.staging_key, image.object_key, {.content_type = processed->mime_type});
            !s.ok()) {
            return Retry(s, "copy original");
        }
        for (const Put& p : puts) {
            if (absl::Status s = store_.Put(p.key, p.bytes, {.content_type = p.content_type});
                !s.ok()) {
                return Retry(s, "put object");
            }
        }
        Took(Stage::kStore, stage_start);
        stage_start = Steady::now();
        absl::Status inserted = images_.InsertForUpload(image, {job.batch_id, job.index});
        if (inserted.code() == absl::StatusCode::kAlreadyExists) {
            auto winner = images_.FindBySha256(job.sha256);
            if (!winner.ok()) {
                return Retry(winner.status(), "find by sha256");
            }
            if (*winner && (*winner)->id != id) {
                // A concurrent identical upload won: ours must leave nothing behind.
                for (const std::string* key :
                     {&image.object_key, &image.thumbnail_key, &image.preview_key}) {
                    if (absl::Status s = DeleteObjectWithRetry(store_, *key, limits_.delete_retry);
                        !s.ok()) {
                        log::Warn(
                            "object of a duplicate upload left behind",
                            {{"key", *key}, {"error", std::string(s.message())}});
                    }
                }
                return Duplicate(job, (*winner)->id);
            }
            if (!*winner) {
                return Retry(inserted, "insert image");  // the conflicting row is gone again
            }
            // Our own row exists already (inserted by an earlier delivery): finish below.
        } else if (!inserted.ok()) {
            return Retry(inserted, "insert image");
        } else {
            Took(Stage::kRecord, stage_start);
            DeleteStaging(job);
            return {JobAction::kAck, UploadStatus::kDone, ""};
        }
    }
    // The row with this id is there (an earlier delivery inserted it): only the status is left.
    stage_start = Steady::now();
    if (absl::Status s = batches_.MarkDone(job.batch_id, job.index, id); !s.ok()) {
        return Retry(s, "mark done");
    }
    Took(Stage::kRecord, stage_start);
    DeleteStaging(job);
    return {JobAction::kAck, UploadStatus::kDone, ""};
}

}  // namespace hatongsu::album
