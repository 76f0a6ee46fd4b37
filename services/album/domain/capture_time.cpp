#include "services/album/domain/capture_time.h"

#include <cstdio>

#include "services/album/domain/time_text.h"

namespace hatongsu::album {
namespace {

bool IsLeap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Four digits for years 0-9999, otherwise a sign and six digits (as JavaScript's toISOString).
std::string YearText(int64_t year) {
    char buf[32];
    if (year >= 0 && year <= 9999) {
        std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(year));
    } else {
        std::snprintf(
            buf, sizeof buf, "%c%06lld", year < 0 ? '-' : '+',
            static_cast<long long>(year < 0 ? -year : year));
    }
    return buf;
}

std::string Format(LocalDateTime t, char separator, bool with_z) {
    CivilDateTime c = ToCivil(t);
    char buf[64];
    std::snprintf(
        buf, sizeof buf, "-%02d-%02d%c%02d:%02d:%02d.%03d%s", c.month, c.day, separator, c.hour,
        c.minute, c.second, c.millisecond, with_z ? "Z" : "");
    return YearText(c.year) + buf;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
    // Howard Hinnant's days_from_civil.
    y -= m <= 2 ? 1 : 0;
    const int64_t era = FloorDiv(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t mp = (m + 9) % 12;
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDateTime ToCivil(LocalDateTime t) {
    const int64_t days = FloorDiv(t.ms, kMillisPerDay);
    int64_t rest = t.ms - days * kMillisPerDay;
    CivilDateTime c;
    c.millisecond = static_cast<int>(rest % 1000);
    rest /= 1000;
    c.second = static_cast<int>(rest % 60);
    rest /= 60;
    c.minute = static_cast<int>(rest % 60);
    c.hour = static_cast<int>(rest / 60);
    // Howard Hinnant's civil_from_days.
    const int64_t z = days + 719468;
    const int64_t era = FloorDiv(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
    return c;
}

LocalDateTime StartOfDay(LocalDateTime t) {
    return LocalDateTime{FloorDiv(t.ms, kMillisPerDay) * kMillisPerDay};
}

std::optional<LocalDateTime> FromCivil(
    int year, int month, int day, int hour, int minute, int second, int millisecond) {
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > DaysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 59 || millisecond < 0 || millisecond > 999) {
        return std::nullopt;
    }
    int64_t days = DaysFromCivil(year, month, day);
    return LocalDateTime{
        days * kMillisPerDay + ((hour * 60LL + minute) * 60 + second) * 1000 + millisecond};
}

std::string ToIsoZ(LocalDateTime t) {
    return Format(t, 'T', true);
}

std::string ToTokenText(LocalDateTime t) {
    return Format(t, ' ', false);
}

std::string ToDate(LocalDateTime t) {
    CivilDateTime c = ToCivil(t);
    char buf[16];
    std::snprintf(buf, sizeof buf, "-%02d-%02d", c.month, c.day);
    return YearText(c.year) + buf;
}

}  // namespace hatongsu::album
