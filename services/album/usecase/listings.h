// The album's read use cases (spec §2.4.1-2.4.5, §2.4.7 with the fixes of §7 items 25-30, 35,
// 38). Each class holds no state of its own: safe from many threads since its repository is.
// Errors: InvalidArgument (bad sort, cursor, id or dates: the gateway answers 400), NotFound
// "IMAGE_NOT_FOUND", Unavailable (database down), Internal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <absl/status/statusor.h>

#include "services/album/port/album_image_repository.h"

namespace hatongsu::album {

struct GetAlbumImagesCommand {
    std::vector<std::pair<std::string, std::string>> sort;  // (orderBy, order)
    int page = 0;
    int limit = 0;
};

// Offset paging with a whitelisted sort (id always the last tie-breaker) and clamped paging
// (limit 0 -> 10, below 1 -> 1, above 100 -> 100; page < 1 -> 1). The gateway also uses it for
// /album/ferris-first with a fixed small page (weak point 4).
class GetAlbumImages final {
public:
    explicit GetAlbumImages(AlbumImageRepository& images) : images_(images) {}
    absl::StatusOr<ImagePage> Execute(const GetAlbumImagesCommand& command);

private:
    AlbumImageRepository& images_;  // owned by main, outlives this object
};

struct CursorPage {
    std::vector<AlbumImage> images;
    std::optional<std::string> next_cursor;  // set only when a next row exists
    bool has_next_page = false;              // == next_cursor.has_value() (weak point 25)
};

// Millisecond keyset paging in capture order: fetches limit + 1 rows, so has_next_page is true
// exactly when a next row exists. Emits infinite-format tokens, accepts both formats. An absent or
// empty cursor starts at the newest image; limit clamped like GetAlbumImages.
class GetAlbumImagesCursor final {
public:
    explicit GetAlbumImagesCursor(AlbumImageRepository& images) : images_(images) {}
    absl::StatusOr<CursorPage> Execute(const std::optional<std::string>& cursor, int limit);

private:
    AlbumImageRepository& images_;
};

struct InfinitePage {
    std::vector<AlbumImage> images;
    std::string next_cursor;  // token of the last image; "" only for an empty table
};

// The endless feed of the home carousel: keyset paging in capture order that wraps around to the
// newest image when the end is reached, but never shows one image twice within a page (weak
// point 26: an album smaller than the page gives a page of every image once).
class GetAlbumImagesInfinite final {
public:
    explicit GetAlbumImagesInfinite(AlbumImageRepository& images) : images_(images) {}
    absl::StatusOr<InfinitePage> Execute(const std::optional<std::string>& next_cursor, int limit);

private:
    AlbumImageRepository& images_;
};

// The image `skip` places after `id` in capture order, modulo the number of images; a negative
// result wraps (non-negative modulo) instead of failing. InvalidArgument "INVALID_IMAGE_ID" for a
// non-UUID; NotFound "IMAGE_NOT_FOUND" for an unknown id, which also covers the empty table.
class GetFerrisNext final {
public:
    explicit GetFerrisNext(AlbumImageRepository& images) : images_(images) {}
    absl::StatusOr<AlbumImage> Execute(const std::string& id, int64_t skip);

private:
    AlbumImageRepository& images_;
};

struct DateCountText {
    std::string date;  // YYYY-MM-DD
    int64_t count = 0;
    bool operator==(const DateCountText&) const = default;
};

// Images per calendar day of dateTimeOriginal (the stored wall-clock day), both bounds inclusive,
// at most 366 days (ParseCountDateRange).
class CountByDate final {
public:
    explicit CountByDate(AlbumImageRepository& images) : images_(images) {}
    absl::StatusOr<std::vector<DateCountText>> Execute(
        const std::string& start_date, const std::string& end_date);

private:
    AlbumImageRepository& images_;
};

// The images on the gallery's spots, by spot (enum order), newest capture first within one.
class GetGallerySpots final {
public:
    explicit GetGallerySpots(AlbumImageRepository& images) : images_(images) {}
    absl::StatusOr<std::map<SpotType, std::vector<AlbumImage>>> Execute();

private:
    AlbumImageRepository& images_;
};

// Puts an image on a spot (freeing the spot's current holder) or takes it off ("none"), in one
// transaction (weak point 32). InvalidArgument "INVALID_IMAGE_ID" / "INVALID_SPOT_TYPE", NotFound
// "IMAGE_NOT_FOUND", Aborted when concurrent assignments kept winning.
class UpdateGallerySpot final {
public:
    explicit UpdateGallerySpot(AlbumImageRepository& images) : images_(images) {}
    absl::Status Execute(const std::string& image_id, const std::string& spot_type);

private:
    AlbumImageRepository& images_;
};

}  // namespace hatongsu::album
