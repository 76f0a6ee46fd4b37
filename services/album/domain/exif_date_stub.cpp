// STUB (wt-album): a stand-in definition of ChooseCaptureDates so the album service links before
// the image helper's exif_date.cpp lands; the lead deletes this file (and its CMake line) at the
// merge. Follows spec §5.3 with weak point 23: DateTimeOriginal, else DateTime, else
// DateTimeDigitized, else the UTC wall clock of lastModified (offset +00:00).
#include "services/album/domain/exif_date.h"

namespace hatongsu::album {

CaptureDates ChooseCaptureDates(const ExifDates& exif, std::optional<int64_t> last_modified_ms) {
    CaptureDates out;
    out.date_time = exif.date_time;
    out.date_time_digitized = exif.date_time_digitized;
    if (exif.date_time_original) {
        out.date_time_original = exif.date_time_original;
        out.original_offset_minutes = exif.offset_original_minutes;
    } else if (exif.date_time) {
        out.date_time_original = exif.date_time;
    } else if (exif.date_time_digitized) {
        out.date_time_original = exif.date_time_digitized;
    } else if (last_modified_ms) {
        out.date_time_original = LocalDateTime{*last_modified_ms};
        out.original_offset_minutes = 0;
    }
    return out;
}

}  // namespace hatongsu::album
