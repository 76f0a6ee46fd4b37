// Test images made in the test: synthetic pixels encoded by libvips, EXIF blocks written byte by
// byte (so garbage and zero dates are exactly what a test says), and hand-built PNG headers.
// Requires InitVips. Failures to build an image throw std::runtime_error (a broken test setup).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hatongsu::album::test_images {

struct Rgb {
    int r = 0;
    int g = 0;
    int b = 0;
};

// A width x height image filled with `fill`, its top-left `corner` x `corner` pixels `mark`.
struct Picture {
    int width = 64;
    int height = 48;
    Rgb fill{40, 120, 200};
    Rgb mark{255, 0, 0};
    int corner = 0;      // 0: no mark
    bool noise = false;  // random pixels instead of `fill` (big, realistic JPEGs)
    bool alpha = false;  // a fourth band, half transparent
};

std::string EncodeJpeg(const Picture& picture, bool progressive = false);
std::string EncodePng(const Picture& picture, bool interlaced = false);
std::string EncodePng16(const Picture& picture);  // 16 bits per sample
std::string EncodeCmykJpeg(const Picture& picture);
// The picture's sRGB colours converted to Display P3, with the P3 profile embedded.
std::string EncodeP3Jpeg(const Picture& picture);
std::string EncodeWebp(const Picture& picture, const std::string& exif_tiff = {});
std::string EncodeGif(const Picture& picture);
// Empty when this libheif cannot encode HEVC. With `p3`, the colours are converted to Display P3
// and the profile embedded, as iPhones write them.
std::string EncodeHeic(const Picture& picture, const std::string& exif_tiff = {}, bool p3 = false);

// The EXIF tags a test controls; each text is written verbatim as an ASCII field (a NUL is
// appended), so "0000:00:00 00:00:00" or "2024:13:01 00:00:00" go in as they are.
struct ExifFields {
    std::optional<std::string> date_time{};             // IFD0 0x0132
    std::optional<std::string> date_time_original{};    // Exif IFD 0x9003
    std::optional<std::string> date_time_digitized{};   // Exif IFD 0x9004
    std::optional<std::string> offset_time_original{};  // Exif IFD 0x9011
    std::optional<std::string> subsec_time_original{};  // Exif IFD 0x9291
    std::optional<int> orientation{};                   // IFD0 0x0112
};

// A big-endian TIFF block (header, IFD0, Exif IFD) holding the fields.
std::string ExifTiff(const ExifFields& fields);
// The JPEG with an APP1 "Exif\0\0" + tiff segment inserted right after SOI.
std::string WithExifApp1(const std::string& jpeg, const std::string& tiff);

// A PNG signature and IHDR (8-bit RGB, correct CRC) claiming width x height, then a few bytes of
// IDAT that could never decode to that, and IEND.
std::string PngHeaderOnly(uint32_t width, uint32_t height);

// Decodes `bytes` (any format libvips reads) to 8-bit: size and the pixel at (x, y).
struct Decoded {
    int width = 0;
    int height = 0;
    int bands = 0;
};
Decoded DecodeSize(const std::string& bytes);
Rgb PixelAt(const std::string& bytes, int x, int y);

}  // namespace hatongsu::album::test_images
