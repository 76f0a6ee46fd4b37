#include "services/album/domain/listing.h"

#include <algorithm>
#include <map>

#include "hatongsu/core/text.h"
#include "services/album/domain/time_text.h"

namespace hatongsu::album {

absl::StatusOr<std::vector<ImageSort>> ParseImageSort(
    const std::vector<std::pair<std::string, std::string>>& sort) {
    static const std::map<std::string, ImageField, std::less<>> kFields = {
        {"id", ImageField::kId},
        {"filename", ImageField::kFilename},
        {"objectKey", ImageField::kObjectKey},
        {"dateTime", ImageField::kDateTime},
        {"dateTimeOriginal", ImageField::kDateTimeOriginal},
        {"dateTimeDigitized", ImageField::kDateTimeDigitized},
        {"gallerySpotType", ImageField::kGallerySpotType},
        {"createdAt", ImageField::kCreatedAt},
        {"updatedAt", ImageField::kUpdatedAt},
        {"version", ImageField::kVersion}};
    std::vector<ImageSort> out;
    for (const auto& [order_by, order] : sort) {
        auto it = kFields.find(order_by);
        if (it == kFields.end()) {
            return absl::InvalidArgumentError("INVALID_SORT_FIELD");
        }
        std::string dir = core::AsciiLower(order);
        if (dir != "asc" && dir != "desc") {
            return absl::InvalidArgumentError("INVALID_SORT_ORDER");
        }
        auto seen = std::find_if(
            out.begin(), out.end(), [&](const ImageSort& s) { return s.field == it->second; });
        if (seen != out.end()) {
            seen->descending = dir == "desc";
        } else {
            out.push_back({it->second, dir == "desc"});
        }
    }
    if (out.empty()) {
        // No sort asked for (the original then had no ORDER BY at all): capture order, newest
        // first, the order every other listing uses.
        return std::vector<ImageSort>{
            {ImageField::kDateTimeOriginal, true}, {ImageField::kId, true}};
    }
    if (std::none_of(out.begin(), out.end(), [](const ImageSort& s) {
            return s.field == ImageField::kId;
        })) {
        out.push_back({ImageField::kId, false});
    }
    return out;
}

int ClampLimit(int limit) {
    if (limit == 0) {
        return kDefaultLimit;
    }
    return std::clamp(limit, 1, kMaxLimit);
}

int ClampPage(int page) {
    return std::max(page, 1);
}

int64_t PageOffset(int page, int limit) {
    return (static_cast<int64_t>(ClampPage(page)) - 1) * ClampLimit(limit);
}

int64_t FerrisPosition(int64_t index, int64_t skip, int64_t count) {
    int64_t r = (index % count + skip % count) % count;
    return r < 0 ? r + count : r;
}

absl::StatusOr<DateRange> ParseCountDateRange(std::string_view start, std::string_view end) {
    auto first = ParseIsoDate(start);
    auto last = ParseIsoDate(end);
    if (!first || !last) {
        return absl::InvalidArgumentError("INVALID_DATE");
    }
    if (*last < *first || (last->ms - first->ms) / kMillisPerDay + 1 > kMaxCountDateDays) {
        return absl::InvalidArgumentError("INVALID_DATE_RANGE");
    }
    return DateRange{*first, *last};
}

}  // namespace hatongsu::album
