#include "services/album/usecase/listings.h"

#include <set>

#include "hatongsu/core/status_macros.h"
#include "hatongsu/core/text.h"

namespace hatongsu::album {

absl::StatusOr<ImagePage> GetAlbumImages::Execute(const GetAlbumImagesCommand& command) {
    ImagePageQuery query;
    CORE_ASSIGN_OR_RETURN(query.sort, ParseImageSort(command.sort));
    query.limit = ClampLimit(command.limit);
    query.offset = PageOffset(command.page, command.limit);
    return images_.List(query);
}

absl::StatusOr<CursorPage> GetAlbumImagesCursor::Execute(
    const std::optional<std::string>& cursor, int limit) {
    std::optional<CaptureKey> after;
    if (cursor && !cursor->empty()) {
        CORE_ASSIGN_OR_RETURN(after, DecodeCursorToken(*cursor));
    }
    const int n = ClampLimit(limit);
    CORE_ASSIGN_OR_RETURN(auto rows, images_.ListCaptureOrder(after, n + 1));
    CursorPage page;
    if (static_cast<int>(rows.size()) > n) {
        rows.resize(static_cast<std::size_t>(n));
        page.next_cursor = EncodeCursorToken(*rows.back().date_time_original, rows.back().id);
        page.has_next_page = true;
    }
    page.images = std::move(rows);
    return page;
}

absl::StatusOr<InfinitePage> GetAlbumImagesInfinite::Execute(
    const std::optional<std::string>& next_cursor, int limit) {
    std::optional<CaptureKey> after;
    if (next_cursor && !next_cursor->empty()) {
        CORE_ASSIGN_OR_RETURN(after, DecodeCursorToken(*next_cursor));
    }
    const int n = ClampLimit(limit);
    CORE_ASSIGN_OR_RETURN(auto rows, images_.ListCaptureOrder(after, n));
    if (static_cast<int>(rows.size()) < n && after) {
        // The end: fill up from the newest image, skipping those already on this page.
        CORE_ASSIGN_OR_RETURN(
            auto wrapped,
            images_.ListCaptureOrder(std::nullopt, n - static_cast<int>(rows.size())));
        std::set<std::string> seen;
        for (const AlbumImage& r : rows) {
            seen.insert(r.id);
        }
        for (AlbumImage& r : wrapped) {
            if (seen.insert(r.id).second) {
                rows.push_back(std::move(r));
            }
        }
    }
    InfinitePage page;
    if (!rows.empty()) {
        page.next_cursor = EncodeCursorToken(*rows.back().date_time_original, rows.back().id);
    }
    page.images = std::move(rows);
    return page;
}

absl::StatusOr<AlbumImage> GetFerrisNext::Execute(const std::string& id, int64_t skip) {
    if (!core::IsUuid(id)) {
        return absl::InvalidArgumentError("INVALID_IMAGE_ID");
    }
    const std::string key = core::AsciiLower(id);
    // Two tries: a row deleted between the two reads can move the end of the order.
    for (int attempt = 0; attempt < 2; ++attempt) {
        CORE_ASSIGN_OR_RETURN(auto pos, images_.CapturePositionOf(key));
        if (!pos || pos->count <= 0) {
            return absl::NotFoundError("IMAGE_NOT_FOUND");
        }
        CORE_ASSIGN_OR_RETURN(
            auto row, images_.AtCapturePosition(FerrisPosition(pos->index, skip, pos->count)));
        if (row) {
            return *std::move(row);
        }
    }
    return absl::AbortedError("album changed while reading, try again");
}

absl::StatusOr<std::vector<DateCountText>> CountByDate::Execute(
    const std::string& start_date, const std::string& end_date) {
    CORE_ASSIGN_OR_RETURN(DateRange range, ParseCountDateRange(start_date, end_date));
    CORE_ASSIGN_OR_RETURN(auto counts, images_.CountByDate(range.first_day, range.last_day));
    std::vector<DateCountText> out;
    out.reserve(counts.size());
    for (const DateCount& c : counts) {
        out.push_back({ToDate(c.day), c.count});
    }
    return out;
}

absl::StatusOr<std::map<SpotType, std::vector<AlbumImage>>> GetGallerySpots::Execute() {
    CORE_ASSIGN_OR_RETURN(auto rows, images_.GallerySpots());
    std::map<SpotType, std::vector<AlbumImage>> out;
    for (AlbumImage& r : rows) {
        if (r.gallery_spot != SpotType::kNone) {
            out[r.gallery_spot].push_back(std::move(r));
        }
    }
    return out;
}

absl::Status UpdateGallerySpot::Execute(const std::string& image_id, const std::string& spot_type) {
    if (!core::IsUuid(image_id)) {
        return absl::InvalidArgumentError("INVALID_IMAGE_ID");
    }
    std::optional<SpotType> spot = ParseSpotType(spot_type);
    if (!spot) {
        return absl::InvalidArgumentError("INVALID_SPOT_TYPE");
    }
    return images_.SetGallerySpot(core::AsciiLower(image_id), *spot);
}

}  // namespace hatongsu::album
