// STUB (wt-album): the minimal declaration the album core compiles against until the image
// helper's services/album/domain/exif_date.h lands; at the merge that file replaces this one.
// The capture dates of an upload from its EXIF dates and the client's lastModified (spec §3.3).
#pragma once

#include <cstdint>
#include <optional>

#include "services/album/domain/capture_time.h"
#include "services/album/port/image_processor.h"

namespace hatongsu::album {

struct CaptureDates {
    std::optional<LocalDateTime> date_time;
    std::optional<LocalDateTime> date_time_original;
    std::optional<LocalDateTime> date_time_digitized;
    std::optional<int> original_offset_minutes;
};

CaptureDates ChooseCaptureDates(const ExifDates& exif, std::optional<int64_t> last_modified_ms);

}  // namespace hatongsu::album
