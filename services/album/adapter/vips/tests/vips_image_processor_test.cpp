#include "services/album/adapter/vips/vips_image_processor.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"
#include "services/album/adapter/vips/tests/test_images.h"

namespace hatongsu::album {
namespace {

using test_images::Decoded;
using test_images::DecodeSize;
using test_images::EncodeGif;
using test_images::EncodeHeic;
using test_images::EncodeJpeg;
using test_images::EncodePng;
using test_images::EncodeWebp;
using test_images::ExifFields;
using test_images::ExifTiff;
using test_images::Picture;
using test_images::PixelAt;
using test_images::Rgb;
using test_images::WithExifApp1;
using testkit::IsOk;
using testkit::StatusIs;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

class VipsImageProcessorTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_TRUE(InitVips("album_vips_unit_tests")); }

    VipsImageProcessor processor_;
};

bool IsRed(Rgb c) {
    return c.r > 200 && c.g < 60 && c.b < 60;
}

std::optional<LocalDateTime> At(std::string_view exif_text) {
    return ParseExifDateTime(exif_text);
}

std::string JpegWithExif(const ExifFields& fields, Picture picture = {}) {
    return WithExifApp1(EncodeJpeg(picture), ExifTiff(fields));
}

TEST_F(VipsImageProcessorTest, JpegWithAllThreeDates) {
    auto image = processor_.Process(JpegWithExif({
        .date_time = "2024:05:07 10:00:00",
        .date_time_original = "2024:05:06 07:08:09",
        .date_time_digitized = "2024:05:08 11:12:13",
    }));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->format, ImageFormat::kJpeg);
    EXPECT_EQ(image->mime_type, "image/jpeg");
    EXPECT_EQ(image->extension, "jpg");
    EXPECT_EQ(image->width, 64);
    EXPECT_EQ(image->height, 48);
    EXPECT_EQ(image->exif.date_time, At("2024:05:07 10:00:00"));
    EXPECT_EQ(image->exif.date_time_original, At("2024:05:06 07:08:09"));
    EXPECT_EQ(image->exif.date_time_digitized, At("2024:05:08 11:12:13"));
    EXPECT_EQ(image->exif.offset_original_minutes, std::nullopt);
}

TEST_F(VipsImageProcessorTest, OffsetTimeOriginalAndSubSecondsAreRead) {
    auto image = processor_.Process(JpegWithExif({
        .date_time_original = "2024:05:06 07:08:09",
        .offset_time_original = "-05:30",
        .subsec_time_original = "25",
    }));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->exif.offset_original_minutes, -330);
    ASSERT_TRUE(image->exif.date_time_original.has_value());
    EXPECT_EQ(image->exif.date_time_original->ms, At("2024:05:06 07:08:09")->ms + 250);
    EXPECT_EQ(image->exif.date_time, std::nullopt);
}

TEST_F(VipsImageProcessorTest, ZeroAndGarbageDatesAreMissing) {
    auto image = processor_.Process(JpegWithExif({
        .date_time = "0000:00:00 00:00:00",
        .date_time_original = "2024:13:01 00:00:00",
        .date_time_digitized = "    :  :     :  :  ",
        .offset_time_original = "+25:00",
    }));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->exif.date_time, std::nullopt);
    EXPECT_EQ(image->exif.date_time_original, std::nullopt);
    EXPECT_EQ(image->exif.date_time_digitized, std::nullopt);
    EXPECT_EQ(image->exif.offset_original_minutes, std::nullopt);

    image = processor_.Process(JpegWithExif({
        .date_time = std::string("\xFF\xFE garbage (with parens) \x01", 27),
        .date_time_original = "2024:02:30 10:00:00",
        .date_time_digitized = "2024:05:06",
    }));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->exif.date_time, std::nullopt);
    EXPECT_EQ(image->exif.date_time_original, std::nullopt);
    EXPECT_EQ(image->exif.date_time_digitized, std::nullopt);
}

TEST_F(VipsImageProcessorTest, ExifWithoutDatesGainsNone) {
    // libexif "fixes" EXIF blocks by adding mandatory tags; no date may appear out of nowhere.
    auto image = processor_.Process(JpegWithExif({.orientation = 1}));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->exif.date_time, std::nullopt);
    EXPECT_EQ(image->exif.date_time_original, std::nullopt);
    EXPECT_EQ(image->exif.date_time_digitized, std::nullopt);
}

TEST_F(VipsImageProcessorTest, JpegWithoutExif) {
    auto image = processor_.Process(EncodeJpeg({}));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->exif.date_time, std::nullopt);
    EXPECT_EQ(image->exif.date_time_original, std::nullopt);
    EXPECT_EQ(image->exif.date_time_digitized, std::nullopt);
    EXPECT_EQ(image->exif.offset_original_minutes, std::nullopt);
}

TEST_F(VipsImageProcessorTest, Orientation6IsRotatedClockwise) {
    // Stored 300 x 200 with a red top-left corner; orientation 6 means "rotate 90° clockwise to
    // display", so the result is 200 x 300 with the red corner at the top right.
    const Picture picture{.width = 300, .height = 200, .corner = 20};
    auto image = processor_.Process(JpegWithExif({.orientation = 6}, picture));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->width, 200);
    EXPECT_EQ(image->height, 300);

    const Decoded preview = DecodeSize(image->preview_jpeg);
    EXPECT_EQ(preview.width, 200);
    EXPECT_EQ(preview.height, 300);
    EXPECT_TRUE(IsRed(PixelAt(image->preview_jpeg, 195, 4)));
    EXPECT_FALSE(IsRed(PixelAt(image->preview_jpeg, 4, 4)));
    EXPECT_FALSE(IsRed(PixelAt(image->preview_jpeg, 195, 295)));

    const Decoded thumbnail = DecodeSize(image->thumbnail_webp);
    EXPECT_EQ(thumbnail.height, 250);
    EXPECT_NEAR(thumbnail.width, 167, 1);
    EXPECT_TRUE(IsRed(PixelAt(image->thumbnail_webp, thumbnail.width - 3, 2)));
    EXPECT_FALSE(IsRed(PixelAt(image->thumbnail_webp, 2, 2)));

    // The same picture without the tag keeps its corner where it was.
    image = processor_.Process(EncodeJpeg(picture));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->width, 300);
    EXPECT_TRUE(IsRed(PixelAt(image->preview_jpeg, 4, 4)));
}

// Big enough to shrink on load and then reduce (through transposes, see Reduce): the marked
// corner stays where it belongs, rotated or not, in the preview and the thumbnail.
TEST_F(VipsImageProcessorTest, ALargePhotoKeepsItsCornerThroughTheResize) {
    const Picture picture{.width = 3000, .height = 2000, .corner = 300};
    auto image = processor_.Process(EncodeJpeg(picture));
    ASSERT_THAT(image, IsOk());
    ASSERT_EQ(DecodeSize(image->preview_jpeg).width, 1440);
    ASSERT_EQ(DecodeSize(image->preview_jpeg).height, 960);
    EXPECT_TRUE(IsRed(PixelAt(image->preview_jpeg, 20, 20)));
    EXPECT_FALSE(IsRed(PixelAt(image->preview_jpeg, 1420, 20)));
    EXPECT_FALSE(IsRed(PixelAt(image->preview_jpeg, 20, 940)));
    EXPECT_TRUE(IsRed(PixelAt(image->thumbnail_webp, 5, 5)));
    EXPECT_FALSE(IsRed(PixelAt(image->thumbnail_webp, 244, 5)));
    EXPECT_FALSE(IsRed(PixelAt(image->thumbnail_webp, 5, 160)));

    image = processor_.Process(JpegWithExif({.orientation = 6}, picture));
    ASSERT_THAT(image, IsOk());
    ASSERT_EQ(DecodeSize(image->preview_jpeg).width, 960);
    ASSERT_EQ(DecodeSize(image->preview_jpeg).height, 1440);
    EXPECT_TRUE(IsRed(PixelAt(image->preview_jpeg, 940, 20)));
    EXPECT_FALSE(IsRed(PixelAt(image->preview_jpeg, 20, 20)));
    EXPECT_FALSE(IsRed(PixelAt(image->preview_jpeg, 940, 1420)));
}

TEST_F(VipsImageProcessorTest, DerivativesCarryNoMetadata) {
    auto image = processor_.Process(JpegWithExif(
        {.date_time_original = "2024:05:06 07:08:09", .orientation = 6},
        {.width = 100, .height = 80}));
    ASSERT_THAT(image, IsOk());
    for (const std::string* bytes : {&image->preview_jpeg, &image->thumbnail_webp}) {
        EXPECT_EQ(bytes->find("Exif"), std::string::npos) << bytes->substr(0, 4);
        EXPECT_EQ(bytes->find("2024:05:06"), std::string::npos) << bytes->substr(0, 4);
    }
    EXPECT_EQ(image->preview_jpeg.substr(0, 3), "\xFF\xD8\xFF");
    EXPECT_EQ(image->thumbnail_webp.substr(8, 4), "WEBP");
}

// A shrink beyond what one Lanczos mask allows (libvips refuses past about 330x) still works: a
// box shrink comes first. 500,000 x 2 to a 1440 px preview is 347x across.
TEST_F(VipsImageProcessorTest, AnExtremePanoramaShrinksToTheBox) {
    auto image = processor_.Process(EncodePng({.width = 500'000, .height = 2}));
    ASSERT_THAT(image, IsOk());
    Decoded preview = DecodeSize(image->preview_jpeg);
    EXPECT_EQ(preview.width, 1440);
    EXPECT_EQ(preview.height, 1);
    Decoded thumbnail = DecodeSize(image->thumbnail_webp);
    EXPECT_EQ(thumbnail.width, 250);
    EXPECT_EQ(thumbnail.height, 1);
}

TEST_F(VipsImageProcessorTest, PreviewShrinksToTheBoxAndNeverUpscales) {
    auto image = processor_.Process(EncodeJpeg({.width = 3000, .height = 2000}));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->width, 3000);
    EXPECT_EQ(image->height, 2000);
    Decoded preview = DecodeSize(image->preview_jpeg);
    EXPECT_EQ(preview.width, 1440);
    EXPECT_EQ(preview.height, 960);
    Decoded thumbnail = DecodeSize(image->thumbnail_webp);
    EXPECT_EQ(thumbnail.width, 250);
    EXPECT_NEAR(thumbnail.height, 167, 1);

    image = processor_.Process(EncodeJpeg({.width = 1000, .height = 2500}));
    ASSERT_THAT(image, IsOk());
    preview = DecodeSize(image->preview_jpeg);
    EXPECT_EQ(preview.height, 1440);
    EXPECT_EQ(preview.width, 576);

    image = processor_.Process(EncodePng({.width = 120, .height = 90}));
    ASSERT_THAT(image, IsOk());
    preview = DecodeSize(image->preview_jpeg);
    EXPECT_EQ(preview.width, 120);  // small images keep their size
    EXPECT_EQ(preview.height, 90);
    thumbnail = DecodeSize(image->thumbnail_webp);
    EXPECT_EQ(thumbnail.width, 120);
    EXPECT_EQ(thumbnail.height, 90);
}

TEST_F(VipsImageProcessorTest, SizesFollowTheOptions) {
    VipsImageProcessor small({.preview_size = 100, .thumbnail_size = 20});
    auto image = small.Process(EncodeJpeg({.width = 400, .height = 300}));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(DecodeSize(image->preview_jpeg).width, 100);
    EXPECT_EQ(DecodeSize(image->thumbnail_webp).width, 20);
}

TEST_F(VipsImageProcessorTest, PngWithoutExif) {
    auto image = processor_.Process(EncodePng({.width = 80, .height = 60, .corner = 10}));
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->format, ImageFormat::kPng);
    EXPECT_EQ(image->mime_type, "image/png");
    EXPECT_EQ(image->extension, "png");
    EXPECT_EQ(image->width, 80);
    EXPECT_EQ(image->height, 60);
    EXPECT_EQ(image->exif.date_time_original, std::nullopt);
    EXPECT_TRUE(IsRed(PixelAt(image->preview_jpeg, 2, 2)));
}

TEST_F(VipsImageProcessorTest, TransparentPngPreviewIsOnWhite) {
    // The 2000 px one is resized with its alpha premultiplied (float pixels of 16 bytes).
    for (const int width : {64, 2000}) {
        auto image = processor_.Process(
            EncodePng({.width = width, .height = 100, .fill = {0, 0, 0}, .alpha = true}));
        ASSERT_THAT(image, IsOk());
        EXPECT_EQ(DecodeSize(image->preview_jpeg).bands, 3);
        const Rgb c = PixelAt(image->preview_jpeg, 10, 10);  // black at 50 % over white: grey
        EXPECT_NEAR(c.r, 127, 8) << width;
        EXPECT_EQ(DecodeSize(image->thumbnail_webp).bands, 4);  // WebP keeps the alpha
    }
}

TEST_F(VipsImageProcessorTest, SixteenBitPngBecomesEightBit) {
    auto image = processor_.Process(test_images::EncodePng16({.width = 50, .height = 40}));
    ASSERT_THAT(image, IsOk());
    const Rgb c = PixelAt(image->preview_jpeg, 20, 20);  // the fill, 40 120 200
    EXPECT_NEAR(c.r, 40, 4);
    EXPECT_NEAR(c.g, 120, 4);
    EXPECT_NEAR(c.b, 200, 4);
    EXPECT_EQ(DecodeSize(image->thumbnail_webp).width, 50);
}

TEST_F(VipsImageProcessorTest, CmykJpegBecomesRgb) {
    // A colour inside the CMYK gamut, so the round trip can come back close.
    const std::string cmyk =
        test_images::EncodeCmykJpeg({.width = 50, .height = 40, .fill = {180, 120, 90}});
    EXPECT_EQ(DecodeSize(cmyk).bands, 4);
    auto image = processor_.Process(cmyk);
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(DecodeSize(image->preview_jpeg).bands, 3);
    const Rgb c = PixelAt(image->preview_jpeg, 20, 20);
    EXPECT_NEAR(c.r, 180, 10);
    EXPECT_NEAR(c.g, 120, 10);
    EXPECT_NEAR(c.b, 90, 10);
}

TEST_F(VipsImageProcessorTest, EmbeddedProfileIsConvertedToSrgb) {
    // The derivatives carry no profile, so their pixels must already be sRGB; also after a
    // resize (the 2000 px one), which must keep the profile until the conversion.
    for (const int width : {50, 2000}) {
        const std::string p3 = test_images::EncodeP3Jpeg({.width = width, .height = 40});
        const Rgb stored = PixelAt(p3, 20, 20);
        EXPECT_GT(std::abs(stored.r - 40), 10) << "the P3 values differ from the sRGB ones";
        auto image = processor_.Process(p3);
        ASSERT_THAT(image, IsOk());
        const Rgb c = PixelAt(image->preview_jpeg, 20, 20);
        EXPECT_NEAR(c.r, 40, 6) << width;
        EXPECT_NEAR(c.g, 120, 6) << width;
        EXPECT_NEAR(c.b, 200, 6) << width;
    }
}

TEST_F(VipsImageProcessorTest, WebpWithExifDate) {
    const std::string webp = EncodeWebp(
        {.width = 90, .height = 70},
        ExifTiff({.date_time_original = "2023:01:02 03:04:05", .offset_time_original = "+09:00"}));
    auto image = processor_.Process(webp);
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->format, ImageFormat::kWebp);
    EXPECT_EQ(image->mime_type, "image/webp");
    EXPECT_EQ(image->extension, "webp");
    EXPECT_EQ(image->width, 90);
    EXPECT_EQ(image->height, 70);
    EXPECT_EQ(image->exif.date_time_original, At("2023:01:02 03:04:05"));
    EXPECT_EQ(image->exif.offset_original_minutes, 540);
    EXPECT_EQ(DecodeSize(image->preview_jpeg).width, 90);
}

TEST_F(VipsImageProcessorTest, HeicWithExifDate) {
    const std::string heic = EncodeHeic(
        {.width = 128, .height = 96, .corner = 16},
        ExifTiff({.date_time_original = "2022:07:08 09:10:11"}));
    if (heic.empty()) {
        GTEST_SKIP() << "this libheif cannot encode HEVC";
    }
    EXPECT_EQ(SniffImageFormat(heic), ImageFormat::kHeic);
    auto image = processor_.Process(heic);
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->format, ImageFormat::kHeic);
    EXPECT_EQ(image->mime_type, "image/heic");
    EXPECT_EQ(image->extension, "heic");
    EXPECT_EQ(image->width, 128);
    EXPECT_EQ(image->height, 96);
    EXPECT_EQ(image->exif.date_time_original, At("2022:07:08 09:10:11"));
    EXPECT_TRUE(IsRed(PixelAt(image->preview_jpeg, 4, 4)));
}

TEST_F(VipsImageProcessorTest, HeicWithDisplayP3Profile) {
    // As iPhones write them: Display P3 pixels, the profile embedded, and EXIF.
    const std::string heic = EncodeHeic(
        {.width = 64, .height = 48}, ExifTiff({.date_time_original = "2022:07:08 09:10:11"}),
        /*p3=*/true);
    if (heic.empty()) {
        GTEST_SKIP() << "this libheif cannot encode HEVC";
    }
    EXPECT_GT(std::abs(PixelAt(heic, 20, 20).r - 40), 10) << "P3 values differ from sRGB ones";
    auto image = processor_.Process(heic);
    ASSERT_THAT(image, IsOk());
    const Rgb c = PixelAt(image->preview_jpeg, 20, 20);  // back to the sRGB fill, 40 120 200
    EXPECT_NEAR(c.r, 40, 10);
    EXPECT_NEAR(c.g, 120, 10);
    EXPECT_NEAR(c.b, 200, 10);
}

TEST_F(VipsImageProcessorTest, TextNamedJpgIsNotAnImage) {
    EXPECT_THAT(
        processor_.Process("this is not a photo, whatever its name says\n"),
        StatusIs(kInvalid, "NOT_AN_IMAGE"));
    EXPECT_THAT(processor_.Process(""), StatusIs(kInvalid, "NOT_AN_IMAGE"));
    EXPECT_THAT(processor_.Process("\xFF\xD8"), StatusIs(kInvalid, "NOT_AN_IMAGE"));
}

TEST_F(VipsImageProcessorTest, FormatsOutsideTheListAreRefused) {
    EXPECT_THAT(processor_.Process(EncodeGif({})), StatusIs(kInvalid, "NOT_AN_IMAGE"));
    EXPECT_THAT(
        processor_.Process(std::string("\0\0\1\0\1\0\x10\x10", 8) + std::string(64, '\0')),
        StatusIs(kInvalid, "NOT_AN_IMAGE"));  // ICO
    EXPECT_THAT(
        processor_.Process(std::string("II*\0\x08\0\0\0", 8) + std::string(64, '\0')),
        StatusIs(kInvalid, "NOT_AN_IMAGE"));  // TIFF
    EXPECT_THAT(
        processor_.Process(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"),
        StatusIs(kInvalid, "NOT_AN_IMAGE"));
    EXPECT_THAT(processor_.Process("%PDF-1.4\n%...."), StatusIs(kInvalid, "NOT_AN_IMAGE"));
    EXPECT_THAT(
        processor_.Process(std::string(
            "\0\0\0\x1C"
            "ftypavif\0\0\0\0avifmif1miaf",
            28)),
        StatusIs(kInvalid, "NOT_AN_IMAGE"));  // AVIF: HEIF, but not HEVC
}

TEST_F(VipsImageProcessorTest, SniffsByMagicBytes) {
    EXPECT_EQ(SniffImageFormat("\xFF\xD8\xFF\xE0"), ImageFormat::kJpeg);
    EXPECT_EQ(SniffImageFormat("\x89PNG\r\n\x1A\n"), ImageFormat::kPng);
    EXPECT_EQ(SniffImageFormat(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), ImageFormat::kWebp);
    EXPECT_EQ(
        SniffImageFormat(std::string(
            "\0\0\0\x18"
            "ftypheic\0\0\0\0mif1heic",
            24)),
        ImageFormat::kHeic);
    EXPECT_EQ(
        SniffImageFormat(std::string(
            "\0\0\0\x18"
            "ftypmif1\0\0\0\0mif1heic",
            24)),
        ImageFormat::kHeic);
    // A box size beyond the data, or too small to hold the brands.
    EXPECT_EQ(
        SniffImageFormat(std::string(
            "\0\0\1\0"
            "ftypheic\0\0\0\0",
            16)),
        std::nullopt);
    EXPECT_EQ(
        SniffImageFormat(std::string(
            "\0\0\0\x08"
            "ftypheic\0\0\0\0",
            16)),
        std::nullopt);
    EXPECT_EQ(SniffImageFormat(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)), std::nullopt);
    EXPECT_EQ(SniffImageFormat("\x89PNG\r\n"), std::nullopt);
}

TEST_F(VipsImageProcessorTest, TruncatedJpegIsCorrupt) {
    const std::string jpeg = EncodeJpeg({.width = 400, .height = 300, .noise = true});
    EXPECT_THAT(processor_.Process(jpeg), IsOk());
    EXPECT_THAT(
        processor_.Process(jpeg.substr(0, jpeg.size() / 2)), StatusIs(kInvalid, "CORRUPT_IMAGE"));
    // The last 64 bytes of entropy-coded data missing. (Without only the EOI marker, libjpeg
    // may or may not notice, depending on where the data ends: all the pixels are there.)
    EXPECT_THAT(
        processor_.Process(jpeg.substr(0, jpeg.size() - 64)), StatusIs(kInvalid, "CORRUPT_IMAGE"));
    EXPECT_THAT(processor_.Process(jpeg.substr(0, 40)), StatusIs(kInvalid, "CORRUPT_IMAGE"));
    std::string scrambled = jpeg;
    std::fill(scrambled.begin() + 3, scrambled.begin() + 200, 'x');
    EXPECT_THAT(processor_.Process(scrambled), StatusIs(kInvalid, "CORRUPT_IMAGE"));
}

TEST_F(VipsImageProcessorTest, TruncatedPngAndWebpAreCorrupt) {
    const std::string png = EncodePng({.width = 300, .height = 200, .noise = true});
    EXPECT_THAT(
        processor_.Process(png.substr(0, png.size() / 2)), StatusIs(kInvalid, "CORRUPT_IMAGE"));
    const std::string webp = EncodeWebp({.width = 300, .height = 200, .noise = true});
    EXPECT_THAT(
        processor_.Process(webp.substr(0, webp.size() / 2)), StatusIs(kInvalid, "CORRUPT_IMAGE"));
}

TEST_F(VipsImageProcessorTest, HugePngHeaderIsRefusedBeforeDecoding) {
    // 60,000 x 60,000 = 3.6 gigapixels in a 70-byte file. Its IDAT could never decode, so
    // TOO_MANY_PIXELS (not CORRUPT_IMAGE) shows nothing was decoded.
    const std::string png = test_images::PngHeaderOnly(60'000, 60'000);
    EXPECT_LT(png.size(), 100u);
    EXPECT_THAT(processor_.Process(png), StatusIs(kInvalid, "TOO_MANY_PIXELS"));
    // Just under the limit, the same bytes get as far as decoding, and fail there.
    VipsImageProcessor roomy({.max_pixels = 100, .max_buffered_pixels = 100});
    EXPECT_THAT(
        roomy.Process(test_images::PngHeaderOnly(10, 10)), StatusIs(kInvalid, "CORRUPT_IMAGE"));
    EXPECT_THAT(
        roomy.Process(test_images::PngHeaderOnly(11, 10)), StatusIs(kInvalid, "TOO_MANY_PIXELS"));
}

TEST_F(VipsImageProcessorTest, PixelLimitIsWidthTimesHeight) {
    const std::string jpeg = EncodeJpeg({.width = 200, .height = 100});
    EXPECT_THAT(VipsImageProcessor({.max_pixels = 20'000}).Process(jpeg), IsOk());
    EXPECT_THAT(
        VipsImageProcessor({.max_pixels = 19'999}).Process(jpeg),
        StatusIs(kInvalid, "TOO_MANY_PIXELS"));
}

TEST_F(VipsImageProcessorTest, WholeImageDecodesHaveTheLowerLimit) {
    // Progressive JPEG needs all its coefficients in memory however much it is shrunk.
    const Picture picture{.width = 200, .height = 100};
    VipsImageProcessor strict({.max_pixels = 1'000'000, .max_buffered_pixels = 19'999});
    EXPECT_THAT(strict.Process(EncodeJpeg(picture)), IsOk());
    EXPECT_THAT(
        strict.Process(EncodeJpeg(picture, /*progressive=*/true)),
        StatusIs(kInvalid, "TOO_MANY_PIXELS"));
    EXPECT_THAT(
        VipsImageProcessor({.max_buffered_pixels = 20'000})
            .Process(EncodeJpeg(picture, /*progressive=*/true)),
        IsOk());
    // Interlaced (Adam7) PNG likewise; HEIC always (libheif decodes whole images).
    EXPECT_THAT(strict.Process(EncodePng(picture)), IsOk());
    EXPECT_THAT(
        strict.Process(EncodePng(picture, /*interlaced=*/true)),
        StatusIs(kInvalid, "TOO_MANY_PIXELS"));
    const std::string heic = EncodeHeic(picture);
    if (!heic.empty()) {
        EXPECT_THAT(strict.Process(heic), StatusIs(kInvalid, "TOO_MANY_PIXELS"));
    }
}

TEST_F(VipsImageProcessorTest, ConcurrentCallsAgree) {
    const std::string jpeg = JpegWithExif(
        {.date_time_original = "2024:05:06 07:08:09", .orientation = 8},
        {.width = 500, .height = 400, .noise = true});
    const std::string truncated = jpeg.substr(0, jpeg.size() / 2);
    std::vector<std::thread> threads;
    std::vector<int> good(4, 0);
    std::vector<int> corrupt(4, 0);
    for (size_t t = 0; t < good.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                auto ok = processor_.Process(jpeg);
                good[t] += ok.ok() && ok->width == 400 && ok->height == 500 &&
                           ok->exif.date_time_original == At("2024:05:06 07:08:09");
                auto bad = processor_.Process(truncated);
                corrupt[t] += !bad.ok() && bad.status().message() == "CORRUPT_IMAGE";
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (size_t t = 0; t < good.size(); ++t) {
        EXPECT_EQ(good[t], 5);
        EXPECT_EQ(corrupt[t], 5);
    }
}

}  // namespace
}  // namespace hatongsu::album
