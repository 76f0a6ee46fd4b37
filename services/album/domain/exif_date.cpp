#include "services/album/domain/exif_date.h"

#include <array>

namespace hatongsu::album {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerDay = 86'400 * kMsPerSecond;
constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;
constexpr int kMinOffsetMinutes = -12 * 60;
constexpr int kMaxOffsetMinutes = 14 * 60;

constexpr bool IsLeapYear(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int DaysInMonth(int year, int month) {
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && IsLeapYear(year) ? 29 : kDays[static_cast<size_t>(month - 1)];
}

// Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar, for years >= 1.
// Counts in 400-year cycles (146097 days each) of years that start on 1 March, so the leap day
// is the last day of its year and the day of the year follows from the month by one formula.
constexpr int64_t DaysFromCivil(int year, int month, int day) {
    const int64_t y = month <= 2 ? year - 1 : year;  // the March-based year
    const int64_t cycle = y / 400;
    const int64_t year_of_cycle = y - cycle * 400;                             // 0..399
    const int64_t month_from_march = (month + 9) % 12;                         // Mar = 0
    const int64_t day_of_year = (153 * month_from_march + 2) / 5 + (day - 1);  // 0..365
    const int64_t day_of_cycle =
        year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;  // 0..146096
    constexpr int64_t kDaysFrom0000March1To1970 = 719'468;
    return cycle * 146'097 + day_of_cycle - kDaysFrom0000March1To1970;
}
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11'017);
static_assert(DaysFromCivil(1969, 12, 31) == -1);

constexpr int64_t kMinMs = DaysFromCivil(kMinYear, 1, 1) * kMsPerDay;
constexpr int64_t kMaxMs = DaysFromCivil(kMaxYear + 1, 1, 1) * kMsPerDay - 1;

// The album's own FromCivil lives in capture_time.cpp; this one serves the parsers here.
std::optional<LocalDateTime> LocalFromFields(
    int year, int month, int day, int hour, int minute, int second, int millisecond) {
    if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1 ||
        day > DaysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 59 || millisecond < 0 || millisecond > 999) {
        return std::nullopt;
    }
    const int64_t seconds = int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
    return LocalDateTime{
        .ms = DaysFromCivil(year, month, day) * kMsPerDay + seconds * kMsPerSecond + millisecond};
}

bool IsPadding(char c) {
    return c == ' ' || c == '\0';
}

std::string_view TrimPadding(std::string_view s) {
    while (!s.empty() && IsPadding(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && IsPadding(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}

// The n ASCII digits at s[pos...] as a number; nullopt if any is not a digit (or s is short).
std::optional<int> Digits(std::string_view s, size_t pos, size_t n) {
    if (pos > s.size() || n > s.size() - pos) {
        return std::nullopt;
    }
    int value = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (!IsDigit(s[i])) {
            return std::nullopt;
        }
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

// "d", "dd", ... up to nine digits of a decimal fraction -> milliseconds, truncated.
std::optional<int> FractionMillis(std::string_view digits) {
    if (digits.empty() || digits.size() > 9) {
        return std::nullopt;
    }
    int ms = 0;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (!IsDigit(digits[i])) {
            return std::nullopt;
        }
    }
    for (size_t i = 0; i < 3; ++i) {
        ms = ms * 10 + (i < digits.size() ? digits[i] - '0' : 0);
    }
    return ms;
}

}  // namespace

std::optional<LocalDateTime> ParseExifDateTime(std::string_view text) {
    const std::string_view s = TrimPadding(text);
    constexpr size_t kWholeSecondLength = 19;  // "YYYY:MM:DD HH:MM:SS"
    if (s.size() < kWholeSecondLength) {
        return std::nullopt;
    }
    const char date_separator = s[4];
    if ((date_separator != ':' && date_separator != '-') || s[7] != date_separator ||
        (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') {
        return std::nullopt;
    }
    const auto year = Digits(s, 0, 4);
    const auto month = Digits(s, 5, 2);
    const auto day = Digits(s, 8, 2);
    const auto hour = Digits(s, 11, 2);
    const auto minute = Digits(s, 14, 2);
    const auto second = Digits(s, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second) {
        return std::nullopt;
    }
    int millisecond = 0;
    if (s.size() > kWholeSecondLength) {
        if (s[kWholeSecondLength] != '.') {
            return std::nullopt;
        }
        const auto fraction = FractionMillis(s.substr(kWholeSecondLength + 1));
        if (!fraction) {
            return std::nullopt;
        }
        millisecond = *fraction;
    }
    return LocalFromFields(*year, *month, *day, *hour, *minute, *second, millisecond);
}

std::optional<int> ParseExifOffset(std::string_view text) {
    const std::string_view s = TrimPadding(text);
    if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') {
        return std::nullopt;
    }
    const auto hours = Digits(s, 1, 2);
    const auto minutes = Digits(s, 4, 2);
    if (!hours || !minutes || *hours > 14 || *minutes > 59) {
        return std::nullopt;
    }
    const int magnitude = *hours * 60 + *minutes;
    const int offset = s[0] == '-' ? -magnitude : magnitude;
    if (offset < kMinOffsetMinutes || offset > kMaxOffsetMinutes) {
        return std::nullopt;
    }
    return offset;
}

std::optional<int> ParseExifSubSecMillis(std::string_view text) {
    return FractionMillis(TrimPadding(text));
}

std::optional<LocalDateTime> WithSubSec(std::optional<LocalDateTime> t, std::string_view subsec) {
    if (!t || t->ms % kMsPerSecond != 0) {
        return t;
    }
    const auto ms = ParseExifSubSecMillis(subsec);
    if (!ms) {
        return t;
    }
    return LocalDateTime{.ms = t->ms + *ms};
}

CaptureDates ChooseCaptureDates(const ExifDates& exif, std::optional<int64_t> last_modified_ms) {
    CaptureDates dates{
        .date_time = exif.date_time,
        .date_time_original = std::nullopt,
        .date_time_digitized = exif.date_time_digitized,
        .original_offset_minutes = std::nullopt,
        .source = CaptureSource::kNone,
    };
    if (exif.date_time_original) {
        dates.date_time_original = exif.date_time_original;
        dates.original_offset_minutes = exif.offset_original_minutes;
        dates.source = CaptureSource::kExifDateTimeOriginal;
    } else if (exif.date_time) {
        dates.date_time_original = exif.date_time;
        dates.source = CaptureSource::kExifDateTime;
    } else if (exif.date_time_digitized) {
        dates.date_time_original = exif.date_time_digitized;
        dates.source = CaptureSource::kExifDateTimeDigitized;
    } else if (last_modified_ms && *last_modified_ms >= kMinMs && *last_modified_ms <= kMaxMs) {
        // Epoch milliseconds are UTC; the naive value keeps the UTC digits (§3.3).
        dates.date_time_original = LocalDateTime{.ms = *last_modified_ms};
        dates.original_offset_minutes = 0;
        dates.source = CaptureSource::kLastModified;
    }
    return dates;
}

}  // namespace hatongsu::album
