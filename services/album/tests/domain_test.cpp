// Pure domain rules: time text, the sort whitelist, paging clamps, cursor tokens (both formats,
// lenient base64), ferris modulo and the count-date range.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/album/domain/album_image.h"
#include "services/album/domain/cursor_token.h"
#include "services/album/domain/listing.h"
#include "services/album/domain/time_text.h"

namespace hatongsu::album {
namespace {

using ::testing::ElementsAre;
using testkit::IsOk;
using testkit::StatusIs;

LocalDateTime At(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
    return *FromCivil(y, mo, d, h, mi, s, ms);
}

TEST(CaptureTime, FormatsLikeTheOriginal) {
    LocalDateTime t = At(2024, 5, 6, 7, 8, 9, 12);
    EXPECT_EQ(ToIsoZ(t), "2024-05-06T07:08:09.012Z");
    EXPECT_EQ(ToTokenText(t), "2024-05-06 07:08:09.012");
    EXPECT_EQ(ToDate(t), "2024-05-06");
    EXPECT_EQ(At(1970, 1, 1).ms, 0);
    EXPECT_EQ(ToIsoZ(LocalDateTime{-1}), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(ToIsoZ(At(1899, 11, 30)), "1899-11-30T00:00:00.000Z");
}

TEST(CaptureTime, FromCivilRefusesImpossibleFields) {
    EXPECT_FALSE(FromCivil(2023, 2, 29, 0, 0, 0, 0));
    EXPECT_TRUE(FromCivil(2024, 2, 29, 0, 0, 0, 0));
    EXPECT_FALSE(FromCivil(2024, 13, 1, 0, 0, 0, 0));
    EXPECT_FALSE(FromCivil(2024, 1, 1, 24, 0, 0, 0));
    EXPECT_FALSE(FromCivil(0, 1, 1, 0, 0, 0, 0));
    EXPECT_FALSE(FromCivil(2024, 1, 1, 0, 0, 0, 1000));
}

TEST(CaptureTime, ParsesDateTimesAndDates) {
    EXPECT_EQ(ParseLocalDateTime("2024-05-06 07:08:09.012"), At(2024, 5, 6, 7, 8, 9, 12));
    EXPECT_EQ(ParseLocalDateTime("2024-05-06T07:08:09.0129Z"), At(2024, 5, 6, 7, 8, 9, 12));
    EXPECT_EQ(ParseLocalDateTime("2024-05-06T07:08"), At(2024, 5, 6, 7, 8));
    EXPECT_EQ(ParseLocalDateTime("2024-05-06"), At(2024, 5, 6));
    EXPECT_FALSE(ParseLocalDateTime("2024-05-06 07:08:09."));
    EXPECT_FALSE(ParseLocalDateTime("2024-5-6"));
    EXPECT_FALSE(ParseLocalDateTime("2024-05-06 07:08:09.000 extra"));
    EXPECT_EQ(ParseIsoDate("2025-01-31T10:00:00+09:00"), At(2025, 1, 31));
    EXPECT_FALSE(ParseIsoDate("2025-01-31x"));
    EXPECT_FALSE(ParseIsoDate("2025-02-30"));
}

TEST(SpotType, ParsesExactlyTheElevenNames) {
    EXPECT_EQ(ParseSpotType("none"), SpotType::kNone);
    EXPECT_EQ(ParseSpotType("spot10"), SpotType::kSpot10);
    EXPECT_EQ(SpotTypeName(SpotType::kSpot3), "spot3");
    EXPECT_FALSE(ParseSpotType("Spot1"));
    EXPECT_FALSE(ParseSpotType("spot11"));
    EXPECT_FALSE(ParseSpotType(""));
}

TEST(AlbumImage, OffsetsAndKeys) {
    EXPECT_EQ(FormatOffset(540), "+09:00");
    EXPECT_EQ(FormatOffset(-210), "-03:30");
    EXPECT_EQ(FormatOffset(0), "+00:00");
    EXPECT_EQ(OriginalKey("abc", "jpg"), "abc.jpg");
    EXPECT_EQ(ThumbnailKey("abc"), "abc.thumb.webp");
    EXPECT_EQ(PreviewKey("abc"), "abc.preview.jpg");
}

// Weak points 28, 29.
TEST(ImageSort, WhitelistCaseInsensitiveDirectionAndIdTieBreaker) {
    auto sort = ParseImageSort({{"dateTimeOriginal", "DESC"}, {"createdAt", "Asc"}});
    ASSERT_THAT(sort, IsOk());
    EXPECT_THAT(
        *sort, ElementsAre(
                   ImageSort{ImageField::kDateTimeOriginal, true},
                   ImageSort{ImageField::kCreatedAt, false}, ImageSort{ImageField::kId, false}));
    EXPECT_THAT(
        *ParseImageSort({{"dateTime", "Desc"}}),
        ElementsAre(ImageSort{ImageField::kDateTime, true}, ImageSort{ImageField::kId, false}));
    EXPECT_THAT(
        *ParseImageSort({}),
        ElementsAre(
            ImageSort{ImageField::kDateTimeOriginal, true}, ImageSort{ImageField::kId, true}));
    EXPECT_THAT(
        ParseImageSort({{"password", "asc"}}),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_SORT_FIELD"));
    EXPECT_THAT(
        ParseImageSort({{"date_time", "asc"}}),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_SORT_FIELD"));
    EXPECT_THAT(
        ParseImageSort({{"dateTime", "descending"}}),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_SORT_ORDER"));
    EXPECT_THAT(
        ParseImageSort({{"dateTime", ""}}),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_SORT_ORDER"));
}

TEST(ImageSort, APropertyNamedTwiceKeepsItsFirstPlaceAndLastDirection) {
    auto sort = ParseImageSort({{"updatedAt", "asc"}, {"version", "asc"}, {"updatedAt", "desc"}});
    EXPECT_THAT(
        *sort, ElementsAre(
                   ImageSort{ImageField::kUpdatedAt, true}, ImageSort{ImageField::kVersion, false},
                   ImageSort{ImageField::kId, false}));
    auto by_id = ParseImageSort({{"id", "desc"}});
    EXPECT_THAT(*by_id, ElementsAre(ImageSort{ImageField::kId, true}));
}

// Weak point 27.
TEST(Paging, ClampsInsteadOfFailing) {
    EXPECT_EQ(ClampLimit(0), 10);
    EXPECT_EQ(ClampLimit(-5), 1);
    EXPECT_EQ(ClampLimit(1), 1);
    EXPECT_EQ(ClampLimit(100), 100);
    EXPECT_EQ(ClampLimit(101), 100);
    EXPECT_EQ(ClampLimit(2'000'000'000), 100);
    EXPECT_EQ(ClampPage(0), 1);
    EXPECT_EQ(ClampPage(-3), 1);
    EXPECT_EQ(PageOffset(3, 20), 40);
    EXPECT_EQ(PageOffset(0, 20), 0);
    EXPECT_EQ(PageOffset(2'147'483'647, 100), int64_t{2'147'483'646} * 100);
}

TEST(CursorToken, EncodesTheInfiniteFormatOfTheSpec) {
    // The spec's example, byte for byte.
    EXPECT_EQ(
        EncodeCursorToken(At(2024, 5, 1, 15), "3760dea3-285f-45b4-bb82-53323aea87c2"),
        "MjAyNC0wNS0wMSAxNTowMDowMC4wMDBfMzc2MGRlYTMtMjg1Zi00NWI0LWJiODItNTMzMjNhZWE4N2My");
}

TEST(CursorToken, DecodesBothFormatsWithMilliseconds) {
    LocalDateTime t = At(2024, 5, 1, 15, 0, 0, 250);
    auto key = DecodeCursorToken(EncodeCursorToken(t, "3760DEA3-285F-45B4-BB82-53323AEA87C2"));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(key->date, t);
    EXPECT_EQ(key->id, "3760dea3-285f-45b4-bb82-53323aea87c2");

    auto original = DecodeCursorToken(
        core::Base64Encode("Wed May 01 2024 16:00:00 GMT+0000 (Coordinated Universal Time)_"
                           "1af69c55-d537-4062-9fd4-3c513f0676ed"));
    ASSERT_THAT(original, IsOk());
    EXPECT_EQ(original->date, At(2024, 5, 1, 16));
    EXPECT_EQ(original->id, "1af69c55-d537-4062-9fd4-3c513f0676ed");
}

TEST(CursorToken, HonoursTheGmtOffsetOfTheOriginalFormat) {
    auto kst = DecodeCursorToken(
        core::Base64Encode("Thu May 02 2024 01:00:00 GMT+0900 (Korean Standard Time)_"
                           "1af69c55-d537-4062-9fd4-3c513f0676ed"));
    ASSERT_THAT(kst, IsOk());
    EXPECT_EQ(kst->date, At(2024, 5, 1, 16));
    auto west = DecodeCursorToken(core::Base64Encode(
        "Wed May 01 2024 12:30:00 GMT-0330_1af69c55-d537-4062-9fd4-3c513f0676ed"));
    ASSERT_THAT(west, IsOk());
    EXPECT_EQ(west->date, At(2024, 5, 1, 16));
}

TEST(CursorToken, DecodesLenientlyLikeNode) {
    const std::string token =
        "MjAyNC0wNS0wMSAxNTowMDowMC4wMDBfMzc2MGRlYTMtMjg1Zi00NWI0LWJiODItNTMzMjNhZWE4N2My";
    auto with_specials =
        EncodeCursorToken(At(2024, 5, 1, 15, 0, 0, 999), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    std::string url = with_specials;
    for (char& c : url) {
        c = c == '+' ? '-' : (c == '/' ? '_' : c);
    }
    while (!url.empty() && url.back() == '=') {
        url.pop_back();
    }
    auto a = DecodeCursorToken(url);
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(a->id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    EXPECT_EQ(a->date, At(2024, 5, 1, 15, 0, 0, 999));
    std::string spaced =
        " " + token.substr(0, 10) + "\n" + token.substr(10, 30) + " \t" + token.substr(40) + "\n";
    auto b = DecodeCursorToken(spaced);
    ASSERT_THAT(b, IsOk());
    EXPECT_EQ(b->date, At(2024, 5, 1, 15));
}

TEST(CursorToken, WithoutAnIdPagesByDateOnly) {
    auto key = DecodeCursorToken(core::Base64Encode("2024-05-01 15:00:00.000"));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(key->id, kNilUuid);
}

TEST(CursorToken, RefusesUnusableTokens) {
    for (std::string text :
         {std::string("not a date_3760dea3-285f-45b4-bb82-53323aea87c2"),
          std::string("2024-05-01 15:00:00.000_not-a-uuid"), std::string("2024-02-30 00:00:00.000"),
          std::string("Wed Foo 01 2024 16:00:00 GMT+0000_3760dea3-285f-45b4-bb82-53323aea87c2"),
          std::string("Wed May 01 2024 16:00:00 GMT+2500_3760dea3-285f-45b4-bb82-53323aea87c2"),
          std::string("Mon Jan 01 0001 00:00:00 GMT+0100_3760dea3-285f-45b4-bb82-53323aea87c2"),
          std::string("")}) {
        EXPECT_THAT(
            DecodeCursorToken(core::Base64Encode(text)),
            StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_CURSOR"))
            << text;
    }
    EXPECT_THAT(
        DecodeCursorToken(std::string(kMaxCursorTokenLength + 1, 'A')),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Ferris, ModuloOfTheSpecWithNegativeSkipsWrapping) {
    // Spec §2.4.4: 11 rows, current image at index 1.
    EXPECT_EQ(FerrisPosition(1, 0, 11), 1);
    EXPECT_EQ(FerrisPosition(1, 1, 11), 2);
    EXPECT_EQ(FerrisPosition(1, 11, 11), 1);
    EXPECT_EQ(FerrisPosition(1, 12, 11), 2);
    EXPECT_EQ(FerrisPosition(1, -1, 11), 0);
    // The original failed here (truncating remainder -1); we wrap to the end.
    EXPECT_EQ(FerrisPosition(1, -2, 11), 10);
    EXPECT_EQ(FerrisPosition(0, -2'147'483'648LL, 11), ((-2'147'483'648LL % 11) + 11) % 11);
    EXPECT_EQ(FerrisPosition(5, 8, 1), 0);
}

// Weak point 38.
TEST(CountDateRange, InclusiveAndCapped) {
    auto r = ParseCountDateRange("2025-01-01", "2025-01-14T23:00:00Z");
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->first_day, At(2025, 1, 1));
    EXPECT_EQ(r->last_day, At(2025, 1, 14));
    EXPECT_THAT(ParseCountDateRange("2025-01-01", "2025-01-01"), IsOk());
    EXPECT_THAT(ParseCountDateRange("2024-01-01", "2024-12-31"), IsOk());  // 366 days
    EXPECT_THAT(
        ParseCountDateRange("2024-01-01", "2025-01-01"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_DATE_RANGE"));
    EXPECT_THAT(
        ParseCountDateRange("2025-01-02", "2025-01-01"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_DATE_RANGE"));
    EXPECT_THAT(
        ParseCountDateRange("yesterday", "2025-01-01"),
        StatusIs(absl::StatusCode::kInvalidArgument, "INVALID_DATE"));
}

}  // namespace
}  // namespace hatongsu::album
