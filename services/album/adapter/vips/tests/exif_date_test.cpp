#include "services/album/domain/exif_date.h"

#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace hatongsu::album {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// Milliseconds of a civil time, by counting days year by year and month by month: slow, but an
// oracle that shares nothing with the code under test.
int64_t Ms(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int ms = 0) {
    auto leap = [](int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    };
    const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int y = 1970; y < year; ++y) {
        days += leap(y) ? 366 : 365;
    }
    for (int y = year; y < 1970; ++y) {
        days -= leap(y) ? 366 : 365;
    }
    for (int m = 1; m < month; ++m) {
        days += month_days[m - 1] + (m == 2 && leap(year) ? 1 : 0);
    }
    days += day - 1;
    return days * kMsPerDay + ((hour * 60 + minute) * 60 + second) * int64_t{1000} + ms;
}

std::optional<int64_t> Parsed(std::string_view text) {
    auto t = ParseExifDateTime(text);
    return t ? std::optional<int64_t>(t->ms) : std::nullopt;
}

TEST(ParseExifDateTime, ReadsTheExifForm) {
    EXPECT_EQ(Parsed("2024:05:06 07:08:09"), Ms(2024, 5, 6, 7, 8, 9));
    EXPECT_EQ(Parsed("1970:01:01 00:00:00"), 0);
    EXPECT_EQ(Parsed("1969:12:31 23:59:59"), -1000);
    EXPECT_EQ(Parsed("2000:02:29 12:00:00"), Ms(2000, 2, 29, 12));
    EXPECT_EQ(Parsed("0001:01:01 00:00:00"), Ms(1, 1, 1));
    EXPECT_EQ(Parsed("9999:12:31 23:59:59"), Ms(9999, 12, 31, 23, 59, 59));
}

TEST(ParseExifDateTime, AcceptsDashesTAFractionAndPadding) {
    EXPECT_EQ(Parsed("2024-05-06 07:08:09"), Ms(2024, 5, 6, 7, 8, 9));
    EXPECT_EQ(Parsed("2024-05-06T07:08:09"), Ms(2024, 5, 6, 7, 8, 9));
    EXPECT_EQ(Parsed("2024:05:06 07:08:09.5"), Ms(2024, 5, 6, 7, 8, 9, 500));
    EXPECT_EQ(Parsed("2024:05:06 07:08:09.123"), Ms(2024, 5, 6, 7, 8, 9, 123));
    EXPECT_EQ(Parsed("2024:05:06 07:08:09.123456789"), Ms(2024, 5, 6, 7, 8, 9, 123));
    EXPECT_EQ(Parsed("  2024:05:06 07:08:09 "), Ms(2024, 5, 6, 7, 8, 9));
    EXPECT_EQ(Parsed(std::string("2024:05:06 07:08:09\0\0", 21)), Ms(2024, 5, 6, 7, 8, 9));
}

TEST(ParseExifDateTime, ZeroDatesAreMissing) {
    EXPECT_EQ(Parsed("0000:00:00 00:00:00"), std::nullopt);  // the original stored 1899-11-30
    EXPECT_EQ(Parsed("0000-00-00 00:00:00"), std::nullopt);
    EXPECT_EQ(Parsed("0000:01:01 00:00:00"), std::nullopt);  // year 0
    EXPECT_EQ(Parsed("2024:00:10 00:00:00"), std::nullopt);
    EXPECT_EQ(Parsed("2024:05:00 00:00:00"), std::nullopt);
}

TEST(ParseExifDateTime, GarbageIsMissing) {
    for (std::string_view garbage :
         {"",
          "                   ",
          "    :  :     :  :  ",
          "2024:05:06",
          "2024:05:06 07:08",
          "2024:05:06 07:08:0",
          "2024:05:06 07:08:09.",
          "2024:05:06 07:08:09.1234567890",
          "2024:05:06 07:08:09Z",
          "2024:05:06 07:08:09+09:00",
          "2024:13:01 00:00:00",
          "2023:02:29 00:00:00",
          "2024:02:30 00:00:00",
          "1900:02:29 00:00:00",
          "2024:04:31 00:00:00",
          "2024:05:06 24:00:00",
          "2024:05:06 23:60:00",
          "2024:05:06 23:59:60",
          "2024:05:06 07:08:09.12a",
          "2O24:05:06 07:08:09",
          "2024:05-06 07:08:09",
          "2024/05/06 07:08:09",
          "2024:05:06_07:08:09",
          "2024:05:06 07-08-09",
          "+024:05:06 07:08:09",
          "-001:05:06 07:08:09",
          "2024:5:6 7:8:9",
          "20240506 070809",
          "2024:05:06 07:08:09 garbage",
          "Tue May  6 07:08:09 2024"}) {
        EXPECT_EQ(Parsed(garbage), std::nullopt) << "'" << garbage << "'";
    }
    EXPECT_EQ(Parsed(std::string("2024:05:06\0 07:08:09", 20)), std::nullopt);
}

TEST(ParseExifOffset, ReadsSignedHoursAndMinutes) {
    EXPECT_EQ(ParseExifOffset("+09:00"), 540);
    EXPECT_EQ(ParseExifOffset("-05:30"), -330);
    EXPECT_EQ(ParseExifOffset("+00:00"), 0);
    EXPECT_EQ(ParseExifOffset("-00:00"), 0);
    EXPECT_EQ(ParseExifOffset("+05:45"), 345);
    EXPECT_EQ(ParseExifOffset("+14:00"), 840);
    EXPECT_EQ(ParseExifOffset("-12:00"), -720);
    EXPECT_EQ(ParseExifOffset(std::string("+09:00\0", 7)), 540);
}

TEST(ParseExifOffset, RefusesAnythingElse) {
    for (std::string_view garbage :
         {"", "   :  ", "09:00", "+9:00", "+0900", "+09:0", "+09:000", "+15:00", "-13:00", "+14:01",
          "-12:30", "+09:60", "Z", "+ab:cd", "++9:00", "+09:00:00", "UTC+9"}) {
        EXPECT_EQ(ParseExifOffset(garbage), std::nullopt) << "'" << garbage << "'";
    }
}

TEST(ParseExifSubSecMillis, ReadsFractionDigits) {
    EXPECT_EQ(ParseExifSubSecMillis("5"), 500);
    EXPECT_EQ(ParseExifSubSecMillis("12"), 120);
    EXPECT_EQ(ParseExifSubSecMillis("123"), 123);
    EXPECT_EQ(ParseExifSubSecMillis("123456 "), 123);
    EXPECT_EQ(ParseExifSubSecMillis("007"), 7);
    EXPECT_EQ(ParseExifSubSecMillis(""), std::nullopt);
    EXPECT_EQ(ParseExifSubSecMillis("   "), std::nullopt);
    EXPECT_EQ(ParseExifSubSecMillis("-5"), std::nullopt);
    EXPECT_EQ(ParseExifSubSecMillis("1234567890"), std::nullopt);
}

TEST(WithSubSec, AddsMillisecondsOnlyToWholeSeconds) {
    const LocalDateTime whole{.ms = Ms(2024, 5, 6, 7, 8, 9)};
    EXPECT_EQ(WithSubSec(whole, "25"), LocalDateTime{whole.ms + 250});
    EXPECT_EQ(WithSubSec(whole, "junk"), whole);
    EXPECT_EQ(WithSubSec(LocalDateTime{whole.ms + 7}, "25"), LocalDateTime{whole.ms + 7});
    EXPECT_EQ(WithSubSec(std::nullopt, "25"), std::nullopt);
}

const LocalDateTime kOriginal{.ms = Ms(2024, 5, 6, 7, 8, 9)};
const LocalDateTime kDateTime{.ms = Ms(2024, 5, 7, 10, 0, 0)};
const LocalDateTime kDigitized{.ms = Ms(2024, 5, 8, 11, 0, 0)};
constexpr int64_t kLastModified = 1'700'000'000'123;  // 2023-11-14T22:13:20.123Z

TEST(ChooseCaptureDates, PrefersDateTimeOriginalWithItsOffset) {
    const CaptureDates d = ChooseCaptureDates(
        {.date_time = kDateTime,
         .date_time_original = kOriginal,
         .date_time_digitized = kDigitized,
         .offset_original_minutes = 540},
        kLastModified);
    EXPECT_EQ(d.date_time_original, kOriginal);
    EXPECT_EQ(d.original_offset_minutes, 540);
    EXPECT_EQ(d.date_time, kDateTime);
    EXPECT_EQ(d.date_time_digitized, kDigitized);
    EXPECT_EQ(d.source, CaptureSource::kExifDateTimeOriginal);
}

TEST(ChooseCaptureDates, FallsBackToDateTimeThenDigitizedWithoutOffset) {
    CaptureDates d = ChooseCaptureDates(
        {.date_time = kDateTime, .date_time_digitized = kDigitized, .offset_original_minutes = 540},
        kLastModified);
    EXPECT_EQ(d.date_time_original, kDateTime);
    EXPECT_EQ(d.original_offset_minutes, std::nullopt);  // not the original's offset
    EXPECT_EQ(d.source, CaptureSource::kExifDateTime);

    d = ChooseCaptureDates({.date_time_digitized = kDigitized}, kLastModified);
    EXPECT_EQ(d.date_time_original, kDigitized);
    EXPECT_EQ(d.date_time, std::nullopt);
    EXPECT_EQ(d.date_time_digitized, kDigitized);
    EXPECT_EQ(d.original_offset_minutes, std::nullopt);
    EXPECT_EQ(d.source, CaptureSource::kExifDateTimeDigitized);
}

TEST(ChooseCaptureDates, WithoutExifDatesUsesLastModifiedAsUtc) {
    const CaptureDates d = ChooseCaptureDates({}, kLastModified);
    EXPECT_EQ(d.date_time_original, LocalDateTime{Ms(2023, 11, 14, 22, 13, 20, 123)});
    EXPECT_EQ(d.original_offset_minutes, 0);
    EXPECT_EQ(d.date_time, std::nullopt);
    EXPECT_EQ(d.date_time_digitized, std::nullopt);
    EXPECT_EQ(d.source, CaptureSource::kLastModified);
}

TEST(ChooseCaptureDates, MissingLastModifiedNeverCostsExifDates) {
    // Weak point 18: the original dropped the whole image when lastModified was missing.
    const CaptureDates d = ChooseCaptureDates({.date_time_original = kOriginal}, std::nullopt);
    EXPECT_EQ(d.date_time_original, kOriginal);
    EXPECT_EQ(d.source, CaptureSource::kExifDateTimeOriginal);
    EXPECT_EQ(d.original_offset_minutes, std::nullopt);
}

TEST(ChooseCaptureDates, NothingKnownLeavesTheChoiceToTheCaller) {
    CaptureDates d = ChooseCaptureDates({}, std::nullopt);
    EXPECT_EQ(d.date_time_original, std::nullopt);
    EXPECT_EQ(d.original_offset_minutes, std::nullopt);
    EXPECT_EQ(d.source, CaptureSource::kNone);

    // Out of the years 0001-9999: as good as missing.
    for (int64_t bad : {Ms(10000, 1, 1), Ms(1, 1, 1) - 1, INT64_MIN, INT64_MAX}) {
        d = ChooseCaptureDates({}, bad);
        EXPECT_EQ(d.source, CaptureSource::kNone) << bad;
        EXPECT_EQ(d.date_time_original, std::nullopt);
    }
    d = ChooseCaptureDates({}, Ms(9999, 12, 31, 23, 59, 59, 999));
    EXPECT_EQ(d.source, CaptureSource::kLastModified);
    d = ChooseCaptureDates({}, -1);  // 1969-12-31T23:59:59.999Z is a time like any other
    EXPECT_EQ(d.date_time_original, LocalDateTime{-1});
}

TEST(ChooseCaptureDates, ZeroAndGarbageExifDatesFallThrough) {
    // What the adapter produces for a file whose every date is the zero placeholder.
    const ExifDates exif{
        .date_time = ParseExifDateTime("0000:00:00 00:00:00"),
        .date_time_original = ParseExifDateTime("    :  :     :  :  "),
        .date_time_digitized = ParseExifDateTime("2024:13:45 99:99:99"),
        .offset_original_minutes = ParseExifOffset("+09:00"),
    };
    const CaptureDates d = ChooseCaptureDates(exif, kLastModified);
    EXPECT_EQ(d.source, CaptureSource::kLastModified);
    EXPECT_EQ(d.date_time_original, LocalDateTime{kLastModified});
    EXPECT_EQ(d.original_offset_minutes, 0);
}

}  // namespace
}  // namespace hatongsu::album
