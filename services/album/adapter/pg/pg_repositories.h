// AlbumImageRepository and UploadBatchRepository on PostgreSQL (tables in schema/). Thread-safe:
// every call borrows a pooled connection. Parameterised SQL only: user values always travel as
// parameters; the only SQL built from a request is the ORDER BY, whose columns come from the
// ImageField whitelist. Timestamps travel as epoch milliseconds of the naive wall clock
// (TIMESTAMP 'epoch' + n ms), so the server's time zone setting never matters.
// Errors as hatongsu::pg::Pool maps them: 23505 -> AlreadyExists, 40001/40P01 -> Aborted, class
// 22 -> InvalidArgument, lost connection -> Unavailable.
#pragma once

#include "hatongsu/pg/migrate.h"
#include "hatongsu/pg/pool.h"
#include "services/album/port/album_image_repository.h"
#include "services/album/port/upload_batch_repository.h"

namespace hatongsu::album::pg {

class PgAlbumImageRepository final : public AlbumImageRepository {
public:
    explicit PgAlbumImageRepository(hatongsu::pg::Pool& pool) : pool_(pool) {}

    absl::StatusOr<ImagePage> List(const ImagePageQuery& query) override;
    absl::StatusOr<std::vector<AlbumImage>> ListCaptureOrder(
        const std::optional<CaptureKey>& after, int limit) override;
    absl::StatusOr<std::optional<CapturePosition>> CapturePositionOf(
        const std::string& id) override;
    absl::StatusOr<std::optional<AlbumImage>> AtCapturePosition(int64_t position) override;
    absl::StatusOr<std::vector<DateCount>> CountByDate(
        LocalDateTime first_day, LocalDateTime last_day) override;
    absl::StatusOr<std::optional<AlbumImage>> FindById(const std::string& id) override;
    absl::StatusOr<std::optional<AlbumImage>> FindBySha256(const std::string& sha256) override;
    absl::StatusOr<std::vector<AlbumImage>> DeleteByIds(
        const std::vector<std::string>& ids) override;
    absl::StatusOr<std::vector<AlbumImage>> GallerySpots() override;
    absl::Status SetGallerySpot(const std::string& id, SpotType spot) override;
    absl::Status Insert(const AlbumImage& image) override;
    absl::Status InsertForUpload(const AlbumImage& image, const UploadFileRef& file) override;

private:
    hatongsu::pg::Pool& pool_;  // owned by main, outlives this object
};

class PgUploadBatchRepository final : public UploadBatchRepository {
public:
    explicit PgUploadBatchRepository(hatongsu::pg::Pool& pool) : pool_(pool) {}

    absl::Status Create(
        const std::string& batch_id, const std::vector<NewUploadFile>& files) override;
    absl::StatusOr<UploadBatch> Get(const std::string& batch_id) override;
    absl::StatusOr<UploadFileRecord> StartProcessing(
        const std::string& batch_id, int index, const std::string& new_image_id) override;
    absl::Status MarkDone(
        const std::string& batch_id, int index, const std::string& image_id) override;
    absl::Status MarkDuplicate(
        const std::string& batch_id, int index, const std::string& existing_image_id) override;
    absl::Status MarkFailed(
        const std::string& batch_id, int index, const std::string& reason) override;

private:
    absl::Status Finish(
        std::string_view what,
        const std::string& batch_id,
        int index,
        UploadStatus status,
        const std::optional<std::string>& image_id,
        const std::optional<std::string>& reason);

    hatongsu::pg::Pool& pool_;
};

// The migrations of this service, embedded from schema/*.sql at build time.
const std::vector<hatongsu::pg::Migration>& Migrations();

}  // namespace hatongsu::album::pg
