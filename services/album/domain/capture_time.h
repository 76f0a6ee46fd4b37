// LocalDateTime: a naive wall-clock date-time with millisecond precision, as the album_image
// columns store it ("timestamp without time zone"; spec: camera-local time for EXIF dates, UTC for
// the lastModified fallback). Kept as milliseconds since 1970-01-01T00:00:00 read as if UTC, so
// comparisons and arithmetic are integer ones. Pure value type; functions in capture_time.cpp.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hatongsu::album {

struct LocalDateTime {
    int64_t ms = 0;  // milliseconds since 1970-01-01 00:00:00.000 of the same (naive) clock
    auto operator<=>(const LocalDateTime&) const = default;
};

// From civil fields; nullopt when a field is out of range (month 13, Feb 30, hour 24...).
std::optional<LocalDateTime> FromCivil(
    int year, int month, int day, int hour, int minute, int second, int millisecond);

// "2024-05-06T07:08:09.000Z": the stored digits with a literal Z, as the original API renders
// every timestamp (spec §1.2 rule 6; see docs/api.md on what the Z means).
std::string ToIsoZ(LocalDateTime t);
// "2024-05-06 07:08:09.000": the date part of the infinite/cursor token.
std::string ToTokenText(LocalDateTime t);
// "2024-05-06"
std::string ToDate(LocalDateTime t);

}  // namespace hatongsu::album
