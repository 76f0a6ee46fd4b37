// EXIF capture dates: parsing the text of the date, sub-second and offset tags, and choosing the
// dates an album image is stored with (spec/api.md §3.3 and §5.3 steps 3-5, with weak points 18,
// 23 and 24 fixed). Pure functions on untrusted text: every input gives a value or nullopt, never
// a crash or an exception.
//
//   ExifDates exif{.date_time_original = ParseExifDateTime("2024:05:06 07:08:09"),
//                  .offset_original_minutes = ParseExifOffset("+09:00")};
//   CaptureDates dates = ChooseCaptureDates(exif, message.last_modified_ms);
//   // dates.date_time_original: 2024-05-06 07:08:09.000, offset +540 minutes
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "services/album/domain/capture_time.h"

namespace hatongsu::album {

// "YYYY:MM:DD HH:MM:SS" as EXIF writes DateTime, DateTimeOriginal and DateTimeDigitized (also
// "YYYY-MM-DD", a 'T' instead of the space, and a ".f" ... ".fffffffff" fraction, of which
// milliseconds are kept, truncated). Leading and trailing spaces and NULs are ignored. nullopt for
// anything else: the zero placeholder "0000:00:00 00:00:00" (the original stored it as
// 1899-11-30, weak point 23), the all-spaces "unknown" form, wrong lengths, letters, out-of-range
// fields (month 13, Feb 30 outside leap years, hour 24, second 60), years outside 0001-9999.
std::optional<LocalDateTime> ParseExifDateTime(std::string_view text);

// OffsetTime* text "+09:00" / "-05:30" -> minutes east of UTC (540, -330). nullopt unless exactly
// a sign, two-digit hours, ':' and two-digit minutes with hours <= 14, minutes <= 59, and the
// total within -12:00 .. +14:00 (the offsets in use); "   :  " (unknown) is nullopt.
std::optional<int> ParseExifOffset(std::string_view text);

// SubSecTime* text: the decimal fraction digits of the matching date's second ("5" = 500 ms,
// "123456" = 123 ms). nullopt unless 1-9 ASCII digits (surrounding spaces and NULs ignored).
std::optional<int> ParseExifSubSecMillis(std::string_view text);

// t plus the sub-second milliseconds, when t is set, has no fraction of its own (whole second)
// and subsec parses; otherwise t unchanged.
std::optional<LocalDateTime> WithSubSec(std::optional<LocalDateTime> t, std::string_view subsec);

struct ExifDates {
    // Each as found in the file, already parsed by ParseExifDateTime (missing, zero or garbage ->
    // nullopt); offset_original from OffsetTimeOriginal when present and valid. (The initializers
    // only keep g++'s -Wmissing-field-initializers quiet on designated initializers.)
    std::optional<LocalDateTime> date_time{};            // 0x0132 DateTime
    std::optional<LocalDateTime> date_time_original{};   // 0x9003 DateTimeOriginal
    std::optional<LocalDateTime> date_time_digitized{};  // 0x9004 DateTimeDigitized
    std::optional<int> offset_original_minutes{};        // 0x9011 OffsetTimeOriginal, e.g. +09:00
};

// Where CaptureDates::date_time_original came from.
enum class CaptureSource {
    kExifDateTimeOriginal,
    kExifDateTime,
    kExifDateTimeDigitized,
    kLastModified,  // the client's lastModified, as UTC wall-clock
    kNone,          // no EXIF date and no usable lastModified: the caller decides
};

struct CaptureDates {
    std::optional<LocalDateTime> date_time{};            // EXIF DateTime (column dateTime)
    std::optional<LocalDateTime> date_time_original{};   // the sort key (dateTimeOriginal)
    std::optional<LocalDateTime> date_time_digitized{};  // EXIF DateTimeDigitized
    // Minutes east of UTC of date_time_original when known: OffsetTimeOriginal when the date is
    // EXIF DateTimeOriginal, 0 for the lastModified fallback (a UTC value), else nullopt (an EXIF
    // date without an offset is camera-local time in an unknown zone).
    std::optional<int> original_offset_minutes{};
    CaptureSource source = CaptureSource::kNone;
};

// The capture-time rule (§5.3 step 5, weak point 18): date_time_original := EXIF DateTimeOriginal,
// else EXIF DateTime, else EXIF DateTimeDigitized, else the UTC wall-clock of last_modified_ms
// (epoch milliseconds; only looked at when EXIF has no date, so a missing or bad lastModified
// never costs an image with EXIF dates). With neither (source kNone) date_time_original is
// nullopt and the caller (the upload use case) stores the upload time, a UTC value with offset 0,
// so dateTimeOriginal is always set as in the original. A last_modified_ms outside years
// 0001-9999 counts as missing. date_time and date_time_digitized are passed through.
CaptureDates ChooseCaptureDates(const ExifDates& exif, std::optional<int64_t> last_modified_ms);

}  // namespace hatongsu::album
