// Parsing and civil-field helpers for LocalDateTime (capture_time.h), kept apart from the shared
// contract header. Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "services/album/domain/capture_time.h"

namespace hatongsu::album {

struct CivilDateTime {
    int64_t year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int millisecond = 0;
};

inline constexpr int64_t kMillisPerDay = 86'400'000;

CivilDateTime ToCivil(LocalDateTime t);
// Days since 1970-01-01 of a proleptic Gregorian date (no range check).
int64_t DaysFromCivil(int64_t year, int month, int day);
// The naive UTC wall clock of an instant given in epoch milliseconds (the lastModified fallback).
inline LocalDateTime FromEpochMillis(int64_t ms) {
    return LocalDateTime{ms};
}
// Midnight of the same day.
LocalDateTime StartOfDay(LocalDateTime t);

// "YYYY-MM-DD", then optionally 'T' or ' ' and "HH:mm[:ss[.fraction]]" and an optional 'Z'
// (ignored: the value is naive). Fractions past milliseconds are truncated. nullopt otherwise.
std::optional<LocalDateTime> ParseLocalDateTime(std::string_view text);
// The calendar date of an ISO 8601 date or date-time ("2025-01-31", "2025-01-31T10:00:00Z", ...):
// the first ten characters must be YYYY-MM-DD and anything after them must start with 'T' or ' '.
// The offset, if any, is ignored (as PostgreSQL's cast to date does). Midnight of that day.
std::optional<LocalDateTime> ParseIsoDate(std::string_view text);

}  // namespace hatongsu::album
