// Rules of the album listings (spec §2.4.1-2.4.5 with the fixes of §7 items 25-29, 38): the sort
// whitelist, paging clamps, the ferris-wheel modulo and the count-date range. Pure, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <absl/status/statusor.h>

#include "services/album/domain/capture_time.h"

namespace hatongsu::album {

// The album_image property names of the original's sort (spec §2.4.1), camelCase.
enum class ImageField {
    kId,
    kFilename,
    kObjectKey,
    kDateTime,
    kDateTimeOriginal,
    kDateTimeDigitized,
    kGallerySpotType,
    kCreatedAt,
    kUpdatedAt,
    kVersion
};

struct ImageSort {
    ImageField field;
    bool descending;
    bool operator==(const ImageSort&) const = default;
};

// (orderBy, order) pairs as the request carries them. orderBy must be one of the property names
// above (exact, camelCase); order "asc" or "desc" in any letter case (weak point 29: the original
// read "Desc" as ascending). A property named twice keeps its first position and takes the last
// direction. `id` ascending is appended as the final tie-breaker unless already present (weak
// point 28). No sort at all means capture order (dateTimeOriginal DESC, id DESC). InvalidArgument
// "INVALID_SORT_FIELD" / "INVALID_SORT_ORDER" otherwise.
absl::StatusOr<std::vector<ImageSort>> ParseImageSort(
    const std::vector<std::pair<std::string, std::string>>& sort);

inline constexpr int kDefaultLimit = 10;
inline constexpr int kMaxLimit = 100;

// Weak point 27, clamping instead of refusing (the frontend never sends these values, so this is
// compatible): 0 -> kDefaultLimit, below 0 -> 1, above kMaxLimit -> kMaxLimit.
int ClampLimit(int limit);
// page < 1 -> 1.
int ClampPage(int page);
// (page - 1) * limit of the clamped values.
int64_t PageOffset(int page, int limit);

// Ferris wheel (spec §2.4.4): the position `skip` after `index` among `count` images, with a
// non-negative modulo (the original failed when the truncating remainder was negative).
// Requires count > 0.
int64_t FerrisPosition(int64_t index, int64_t skip, int64_t count);

inline constexpr int64_t kMaxCountDateDays = 366;

struct DateRange {
    LocalDateTime first_day;  // midnight
    LocalDateTime last_day;   // midnight, inclusive
};
// Count-date bounds (spec §2.4.5, weak point 38): ISO dates or date-times, their date part only,
// both inclusive; InvalidArgument "INVALID_DATE" when one does not parse, "INVALID_DATE_RANGE"
// when the end is before the start or the range covers more than kMaxCountDateDays days.
absl::StatusOr<DateRange> ParseCountDateRange(std::string_view start, std::string_view end);

}  // namespace hatongsu::album
