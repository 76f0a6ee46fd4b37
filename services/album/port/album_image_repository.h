// Storage of album images (table album_image). PgAlbumImageRepository and
// InMemoryAlbumImageRepository implement it; testing/repository_contract.h checks both.
// "Capture order" is dateTimeOriginal DESC, id DESC over the rows whose dateTimeOriginal is set
// (rows without one, which only hand-made rows can be, take no part in cursor, infinite and
// ferris paging). Thread-safe. Errors: Unavailable (database down: retry), InvalidArgument (a
// value the database refused), Internal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "services/album/domain/album_image.h"
#include "services/album/domain/cursor_token.h"
#include "services/album/domain/listing.h"

namespace hatongsu::album {

struct ImagePageQuery {
    std::vector<ImageSort> sort;  // from ParseImageSort: ends with id
    int64_t offset = 0;
    int limit = kDefaultLimit;  // 1..kMaxLimit
};

struct ImagePage {
    std::vector<AlbumImage> images;
    int64_t total_count = 0;  // rows in the whole table
};

struct CapturePosition {
    int64_t index = 0;  // rows before the image in capture order
    int64_t count = 0;  // rows in capture order, read in the same snapshot
};

struct DateCount {
    LocalDateTime day;  // midnight
    int64_t count = 0;
};

// An upload file (upload_file row) by its batch and position.
struct UploadFileRef {
    std::string batch_id;
    int index = 0;
};

class AlbumImageRepository {
public:
    virtual ~AlbumImageRepository() = default;

    // Offset paging in the given order (NULLs first under DESC, last under ASC; gallerySpotType in
    // enum order), with the total row count.
    virtual absl::StatusOr<ImagePage> List(const ImagePageQuery& query) = 0;
    // At most `limit` rows in capture order, strictly after `after` when given (keyset paging).
    virtual absl::StatusOr<std::vector<AlbumImage>> ListCaptureOrder(
        const std::optional<CaptureKey>& after, int limit) = 0;
    // The image's place in capture order; nullopt when there is no such image (or it has no
    // dateTimeOriginal). `id` must be a UUID.
    virtual absl::StatusOr<std::optional<CapturePosition>> CapturePositionOf(
        const std::string& id) = 0;
    // The row at 0-based `position` in capture order; nullopt past the end.
    virtual absl::StatusOr<std::optional<AlbumImage>> AtCapturePosition(int64_t position) = 0;
    // Rows per calendar day of dateTimeOriginal, first_day..last_day inclusive, ascending, only
    // days with rows.
    virtual absl::StatusOr<std::vector<DateCount>> CountByDate(
        LocalDateTime first_day, LocalDateTime last_day) = 0;
    virtual absl::StatusOr<std::optional<AlbumImage>> FindById(const std::string& id) = 0;
    virtual absl::StatusOr<std::optional<AlbumImage>> FindBySha256(const std::string& sha256) = 0;
    // Deletes the rows with these ids (UUIDs; unknown ones ignored) in one transaction and returns
    // the deleted rows, so their objects can be removed after the commit.
    virtual absl::StatusOr<std::vector<AlbumImage>> DeleteByIds(
        const std::vector<std::string>& ids) = 0;
    // Images holding a spot (gallerySpotType <> 'none'), by spot in enum order, then capture
    // order.
    virtual absl::StatusOr<std::vector<AlbumImage>> GallerySpots() = 0;
    // In one transaction: the image now holding `spot` (if another) gets 'none', then the image
    // gets `spot` (updated_at and version bumped on every changed row). 'none' just clears the
    // image's spot. NotFound "IMAGE_NOT_FOUND" when the image does not exist; Aborted when a
    // concurrent assignment won twice in a row (the partial unique index refused ours).
    virtual absl::Status SetGallerySpot(const std::string& id, SpotType spot) = 0;
    // Inserts a row as given (created_at/updated_at set by the store, version 1).
    // AlreadyExists when the id or the sha256 is taken.
    virtual absl::Status Insert(const AlbumImage& image) = 0;
    // Insert() and, in the same transaction, marks the upload file done with the image's id.
    // AlreadyExists as Insert (nothing written then); NotFound when the upload file is unknown.
    virtual absl::Status InsertForUpload(const AlbumImage& image, const UploadFileRef& file) = 0;
};

}  // namespace hatongsu::album
