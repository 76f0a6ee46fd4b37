// libFuzzer target for the EXIF date, offset and sub-second parsers and the capture-date rule
// (services/album/domain/exif_date.h). Build (clang, packaged):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//       fuzz/exif_date_fuzz.cpp services/album/domain/exif_date.cpp -o exif_date_fuzz
//   ./exif_date_fuzz fuzz/corpus/exif_date
// Besides "no crash, no sanitizer report", it checks with its own calendar arithmetic (nothing
// shared with the code under test) that whatever parses is a real civil date-time written by the
// input's digits, that offsets and sub-seconds stay in range, and that the choice of capture date
// follows its precedence.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/album/domain/exif_date.h"

namespace {

using hatongsu::album::CaptureDates;
using hatongsu::album::CaptureSource;
using hatongsu::album::ExifDates;
using hatongsu::album::LocalDateTime;

void Check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

bool Leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int MonthDays(int64_t y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return kDays[m - 1] + (m == 2 && Leap(y) ? 1 : 0);
}

struct Civil {
    int64_t year;
    int month, day, hour, minute, second, millisecond;
};

// Milliseconds since 1970 back to fields: whole 400-year cycles (146097 days), then year by
// year and month by month.
Civil ToCivil(int64_t ms) {
    constexpr int64_t kMsPerDay = 86'400'000;
    int64_t days = ms / kMsPerDay;
    int64_t rest = ms % kMsPerDay;
    if (rest < 0) {
        rest += kMsPerDay;
        days -= 1;
    }
    int64_t year = 1970;
    const int64_t cycles = days / 146'097 - (days % 146'097 < 0 ? 1 : 0);
    year += cycles * 400;
    days -= cycles * 146'097;  // now 0 <= days < 146097 from 1 January of `year`
    while (days >= (Leap(year) ? 366 : 365)) {
        days -= Leap(year) ? 366 : 365;
        ++year;
    }
    int month = 1;
    while (days >= MonthDays(year, month)) {
        days -= MonthDays(year, month);
        ++month;
    }
    Civil c{};
    c.year = year;
    c.month = month;
    c.day = static_cast<int>(days) + 1;
    c.hour = static_cast<int>(rest / 3'600'000);
    c.minute = static_cast<int>(rest / 60'000 % 60);
    c.second = static_cast<int>(rest / 1000 % 60);
    c.millisecond = static_cast<int>(rest % 1000);
    return c;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\0')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) {
        s.remove_suffix(1);
    }
    return s;
}

int64_t Number(std::string_view s, size_t pos, size_t n) {
    int64_t v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        Check(s[i] >= '0' && s[i] <= '9', "a field of a parsed date is digits");
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

void CheckDate(std::string_view input) {
    const std::optional<LocalDateTime> t = hatongsu::album::ParseExifDateTime(input);
    if (!t) {
        return;
    }
    const Civil c = ToCivil(t->ms);
    Check(c.year >= 1 && c.year <= 9999, "year within 0001-9999");
    const std::string_view s = Trim(input);
    Check(s.size() >= 19, "a parsed date has all six fields");
    Check(Number(s, 0, 4) == c.year, "year digits");
    Check(Number(s, 5, 2) == c.month, "month digits");
    Check(Number(s, 8, 2) == c.day, "day digits");
    Check(Number(s, 11, 2) == c.hour, "hour digits");
    Check(Number(s, 14, 2) == c.minute, "minute digits");
    Check(Number(s, 17, 2) == c.second, "second digits");
    int64_t ms = 0;
    if (s.size() > 19) {
        Check(s[19] == '.' && s.size() >= 21 && s.size() <= 29, "a fraction of 1-9 digits");
        const std::string digits = std::string(s.substr(20)) + "00";
        ms = Number(digits, 0, 3);
    }
    Check(ms == c.millisecond, "milliseconds are the fraction's first three digits");

    // The canonical form of the same value parses to the same value.
    char canonical[32];
    std::snprintf(
        canonical, sizeof canonical, "%04lld:%02d:%02d %02d:%02d:%02d.%03d",
        static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second, c.millisecond);
    Check(hatongsu::album::ParseExifDateTime(canonical) == t, "canonical form round-trips");
}

void CheckOffset(std::string_view input) {
    const std::optional<int> offset = hatongsu::album::ParseExifOffset(input);
    if (!offset) {
        return;
    }
    Check(*offset >= -12 * 60 && *offset <= 14 * 60, "offset within -12:00..+14:00");
    const std::string_view s = Trim(input);
    Check(s.size() == 6, "offset is six characters");
    const int64_t magnitude = Number(s, 1, 2) * 60 + Number(s, 4, 2);
    Check((s[0] == '-' ? -magnitude : magnitude) == *offset, "offset digits");
}

void CheckSubSec(std::string_view input) {
    const std::optional<int> ms = hatongsu::album::ParseExifSubSecMillis(input);
    if (ms) {
        Check(*ms >= 0 && *ms <= 999, "sub-second milliseconds within 0..999");
    }
}

void CheckChoice(std::string_view a, std::string_view b, std::string_view c, int64_t last) {
    const ExifDates exif{
        .date_time = hatongsu::album::ParseExifDateTime(a),
        .date_time_original = hatongsu::album::ParseExifDateTime(b),
        .date_time_digitized = hatongsu::album::ParseExifDateTime(c),
        .offset_original_minutes = hatongsu::album::ParseExifOffset(c),
    };
    const CaptureDates d = hatongsu::album::ChooseCaptureDates(exif, last);
    Check(d.date_time == exif.date_time, "date_time passes through");
    Check(d.date_time_digitized == exif.date_time_digitized, "date_time_digitized passes through");
    switch (d.source) {
        case CaptureSource::kExifDateTimeOriginal:
            Check(d.date_time_original == exif.date_time_original, "original first");
            Check(
                d.original_offset_minutes == exif.offset_original_minutes, "the original's offset");
            break;
        case CaptureSource::kExifDateTime:
            Check(!exif.date_time_original && d.date_time_original == exif.date_time, "then DT");
            break;
        case CaptureSource::kExifDateTimeDigitized:
            Check(!exif.date_time_original && !exif.date_time, "then digitized");
            Check(d.date_time_original == exif.date_time_digitized, "digitized value");
            break;
        case CaptureSource::kLastModified:
            Check(!exif.date_time_original && !exif.date_time && !exif.date_time_digitized, "LM");
            Check(d.date_time_original == LocalDateTime{last}, "lastModified value");
            Check(d.original_offset_minutes == 0, "lastModified is UTC");
            Check(ToCivil(last).year >= 1 && ToCivil(last).year <= 9999, "lastModified range");
            break;
        case CaptureSource::kNone:
            Check(!d.date_time_original, "nothing chosen");
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    CheckDate(input);
    CheckOffset(input);
    CheckSubSec(input);

    // The same bytes as three fields split at '|' plus eight bytes of lastModified.
    int64_t last = 0;
    for (size_t i = 0; i < 8 && i < size; ++i) {
        last = static_cast<int64_t>(static_cast<uint64_t>(last) << 8 | data[i]);
    }
    const size_t first = input.find('|');
    const size_t second = first == std::string_view::npos ? first : input.find('|', first + 1);
    if (second != std::string_view::npos) {
        CheckChoice(
            input.substr(0, first), input.substr(first + 1, second - first - 1),
            input.substr(second + 1), last);
    } else {
        CheckChoice({}, {}, {}, last);
    }
    return 0;
}
