#include "services/album/adapter/vips/tests/test_images.h"

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <vector>

#include <vips/vips.h>

namespace hatongsu::album::test_images {
namespace {

struct ImageUnref {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

[[noreturn]] void Fail(const char* what) {
    std::string message = std::string(what) + ": " + vips_error_buffer();
    vips_error_clear();
    throw std::runtime_error(message);
}

// `out` by reference: read after the call that fills it, whatever the argument order.
ImagePtr Check(int rc, VipsImage*& out, const char* what) {
    if (rc != 0) {
        Fail(what);
    }
    return ImagePtr(out);
}

ImagePtr Make(const Picture& p) {
    VipsImage* out = nullptr;
    ImagePtr image;
    if (p.noise) {
        // Smooth gradients plus grain (fixed seeds: the same bytes every run), per band: compresses
        // like a photo, not like flat colour.
        std::vector<ImagePtr> bands;
        for (int band = 0; band < 3; ++band) {
            ImagePtr noise = Check(
                vips_gaussnoise(
                    &out, p.width, p.height, "sigma", 5.0, "mean", 0.0, "seed", 7 + band, nullptr),
                out, "gaussnoise");
            ImagePtr ramp =
                Check(vips_xyz(&out, p.width, p.height, nullptr), out, "xyz");  // 2 bands: x, y
            ImagePtr coordinate =
                Check(vips_extract_band(ramp.get(), &out, band % 2, nullptr), out, "band");
            const double scale = 255.0 / std::max(p.width, p.height) * (band + 1) / 2.0;
            ImagePtr scaled =
                Check(vips_linear1(coordinate.get(), &out, scale, 30.0, nullptr), out, "linear");
            ImagePtr sum = Check(vips_add(scaled.get(), noise.get(), &out, nullptr), out, "add");
            bands.push_back(
                Check(vips_cast(sum.get(), &out, VIPS_FORMAT_UCHAR, nullptr), out, "cast"));
        }
        std::array<VipsImage*, 3> raw = {bands[0].get(), bands[1].get(), bands[2].get()};
        image = Check(vips_bandjoin(raw.data(), &out, 3, nullptr), out, "bandjoin");
        image = Check(
            vips_copy(image.get(), &out, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), out,
            "copy");
    } else {
        ImagePtr black =
            Check(vips_black(&out, p.width, p.height, "bands", 3, nullptr), out, "black");
        std::array<double, 3> a = {1.0, 1.0, 1.0};
        std::array<double, 3> b = {
            static_cast<double>(p.fill.r), static_cast<double>(p.fill.g),
            static_cast<double>(p.fill.b)};
        image = Check(
            vips_linear(black.get(), &out, a.data(), b.data(), 3, "uchar", TRUE, nullptr), out,
            "linear");
        image = Check(
            vips_copy(image.get(), &out, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), out,
            "copy");
    }
    ImagePtr memory(vips_image_copy_memory(image.get()));
    if (!memory) {
        Fail("copy_memory");
    }
    if (p.corner > 0) {
        std::array<double, 3> ink = {
            static_cast<double>(p.mark.r), static_cast<double>(p.mark.g),
            static_cast<double>(p.mark.b)};
        if (vips_draw_rect(
                memory.get(), ink.data(), 3, 0, 0, p.corner, p.corner, "fill", TRUE, nullptr) !=
            0) {
            Fail("draw_rect");
        }
    }
    if (p.alpha) {
        memory = Check(vips_bandjoin_const1(memory.get(), &out, 128.0, nullptr), out, "alpha");
    }
    return memory;
}

std::string Take(void* buffer, size_t length) {
    std::string bytes(static_cast<const char*>(buffer), length);
    g_free(buffer);
    return bytes;
}

// A copy of `image` carrying `tiff` as its EXIF block, for savers that write one.
ImagePtr WithExifBlob(VipsImage* image, const std::string& tiff) {
    VipsImage* out = nullptr;
    ImagePtr copy = Check(vips_copy(image, &out, nullptr), out, "copy");
    if (!tiff.empty()) {
        const std::string blob = "Exif" + std::string(2, '\0') + tiff;
        vips_image_set_blob_copy(copy.get(), VIPS_META_EXIF_NAME, blob.data(), blob.size());
    }
    return copy;
}

void Put16(std::string& s, uint32_t v) {
    s.push_back(static_cast<char>((v >> 8) & 0xFF));
    s.push_back(static_cast<char>(v & 0xFF));
}

void Put32(std::string& s, uint32_t v) {
    Put16(s, v >> 16);
    Put16(s, v & 0xFFFF);
}

struct IfdEntry {
    uint16_t tag;
    uint16_t type;  // 2 ASCII, 3 SHORT, 4 LONG
    uint32_t count;
    std::string value;  // big-endian bytes
};

constexpr uint16_t kAscii = 2;
constexpr uint16_t kShort = 3;
constexpr uint16_t kLong = 4;

IfdEntry Ascii(uint16_t tag, const std::string& text) {
    std::string value = text + '\0';
    return {tag, kAscii, static_cast<uint32_t>(value.size()), value};
}

size_t IfdSize(size_t entries) {
    return 2 + 12 * entries + 4;
}

// Appends one IFD; values over 4 bytes go to `data`, which will sit at `data_offset`.
void WriteIfd(
    std::string& out, std::vector<IfdEntry> entries, std::string& data, size_t data_offset) {
    std::sort(entries.begin(), entries.end(), [](const IfdEntry& a, const IfdEntry& b) {
        return a.tag < b.tag;
    });
    Put16(out, static_cast<uint32_t>(entries.size()));
    for (const IfdEntry& e : entries) {
        Put16(out, e.tag);
        Put16(out, e.type);
        Put32(out, e.count);
        if (e.value.size() <= 4) {
            std::string inline_value = e.value;
            inline_value.resize(4, '\0');
            out += inline_value;
        } else {
            Put32(out, static_cast<uint32_t>(data_offset + data.size()));
            data += e.value;
            if (data.size() % 2 != 0) {
                data.push_back('\0');
            }
        }
    }
    Put32(out, 0);  // no next IFD
}

uint32_t Crc32(std::string_view bytes) {
    uint32_t crc = 0xFFFFFFFFu;
    for (char c : bytes) {
        crc ^= static_cast<unsigned char>(c);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

void PngChunk(std::string& png, std::string_view type, const std::string& data) {
    Put32(png, static_cast<uint32_t>(data.size()));
    std::string typed = std::string(type) + data;
    png += typed;
    Put32(png, Crc32(typed));
}

ImagePtr Load(const std::string& bytes) {
    ImagePtr image(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr));
    if (!image) {
        Fail("load");
    }
    return image;
}

}  // namespace

std::string EncodeJpeg(const Picture& picture, bool progressive) {
    ImagePtr image = Make(picture);
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_jpegsave_buffer(
            image.get(), &buffer, &length, "Q", 90, "strip", TRUE, "interlace", progressive,
            nullptr) != 0) {
        Fail("jpegsave");
    }
    return Take(buffer, length);
}

std::string EncodePng(const Picture& picture, bool interlaced) {
    ImagePtr image = Make(picture);
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_pngsave_buffer(
            image.get(), &buffer, &length, "strip", TRUE, "interlace", interlaced, nullptr) != 0) {
        Fail("pngsave");
    }
    return Take(buffer, length);
}

std::string EncodePng16(const Picture& picture) {
    VipsImage* out = nullptr;
    ImagePtr image = Make(picture);
    image = Check(vips_cast(image.get(), &out, VIPS_FORMAT_USHORT, nullptr), out, "cast");
    image =
        Check(vips_linear1(image.get(), &out, 257.0, 0.0, "uchar", FALSE, nullptr), out, "linear");
    image = Check(vips_cast(image.get(), &out, VIPS_FORMAT_USHORT, nullptr), out, "cast");
    image = Check(
        vips_copy(image.get(), &out, "interpretation", VIPS_INTERPRETATION_RGB16, nullptr), out,
        "copy");
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_pngsave_buffer(
            image.get(), &buffer, &length, "bitdepth", 16, "strip", TRUE, nullptr) != 0) {
        Fail("pngsave");
    }
    return Take(buffer, length);
}

std::string EncodeCmykJpeg(const Picture& picture) {
    VipsImage* out = nullptr;
    ImagePtr image = Make(picture);
    image =
        Check(vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_CMYK, nullptr), out, "cmyk");
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 95, nullptr) != 0) {
        Fail("jpegsave");
    }
    return Take(buffer, length);
}

std::string EncodeP3Jpeg(const Picture& picture) {
    VipsImage* out = nullptr;
    ImagePtr image = Make(picture);
    image = Check(
        vips_icc_transform(
            image.get(), &out, "p3", "input_profile", "srgb", "embedded", FALSE, nullptr),
        out, "icc_transform");
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 95, nullptr) != 0) {
        Fail("jpegsave");
    }
    return Take(buffer, length);
}

std::string EncodeWebp(const Picture& picture, const std::string& exif_tiff) {
    ImagePtr image = WithExifBlob(Make(picture).get(), exif_tiff);
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_webpsave_buffer(image.get(), &buffer, &length, "Q", 90, nullptr) != 0) {
        Fail("webpsave");
    }
    return Take(buffer, length);
}

std::string EncodeGif(const Picture& picture) {
    ImagePtr image = Make(picture);
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_gifsave_buffer(image.get(), &buffer, &length, nullptr) != 0) {
        Fail("gifsave");
    }
    return Take(buffer, length);
}

std::string EncodeHeic(const Picture& picture, const std::string& exif_tiff, bool p3) {
    ImagePtr image = Make(picture);
    if (p3) {
        VipsImage* out = nullptr;
        image = Check(
            vips_icc_transform(
                image.get(), &out, "p3", "input_profile", "srgb", "embedded", FALSE, nullptr),
            out, "icc_transform");
    }
    image = WithExifBlob(image.get(), exif_tiff);
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_heifsave_buffer(
            image.get(), &buffer, &length, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, "Q",
            60, nullptr) != 0) {
        vips_error_clear();
        return {};
    }
    return Take(buffer, length);
}

std::string ExifTiff(const ExifFields& f) {
    std::vector<IfdEntry> ifd0;
    std::vector<IfdEntry> exif;
    if (f.orientation) {
        std::string value;
        Put16(value, static_cast<uint32_t>(*f.orientation));
        ifd0.push_back({0x0112, kShort, 1, value});
    }
    if (f.date_time) {
        ifd0.push_back(Ascii(0x0132, *f.date_time));
    }
    if (f.date_time_original) {
        exif.push_back(Ascii(0x9003, *f.date_time_original));
    }
    if (f.date_time_digitized) {
        exif.push_back(Ascii(0x9004, *f.date_time_digitized));
    }
    if (f.offset_time_original) {
        exif.push_back(Ascii(0x9011, *f.offset_time_original));
    }
    if (f.subsec_time_original) {
        exif.push_back(Ascii(0x9291, *f.subsec_time_original));
    }
    constexpr size_t kHeaderSize = 8;
    const size_t ifd0_size = IfdSize(ifd0.size() + (exif.empty() ? 0 : 1));
    const size_t exif_offset = kHeaderSize + ifd0_size;
    if (!exif.empty()) {
        std::string pointer;
        Put32(pointer, static_cast<uint32_t>(exif_offset));
        ifd0.push_back({0x8769, kLong, 1, pointer});
    }
    const size_t data_offset = exif_offset + (exif.empty() ? 0 : IfdSize(exif.size()));

    std::string tiff = "MM";
    Put16(tiff, 42);
    Put32(tiff, kHeaderSize);
    std::string data;
    WriteIfd(tiff, ifd0, data, data_offset);
    if (!exif.empty()) {
        WriteIfd(tiff, exif, data, data_offset);
    }
    return tiff + data;
}

std::string WithExifApp1(const std::string& jpeg, const std::string& tiff) {
    const std::string payload = "Exif" + std::string(2, '\0') + tiff;
    std::string segment = "\xFF\xE1";
    Put16(segment, static_cast<uint32_t>(payload.size() + 2));
    return jpeg.substr(0, 2) + segment + payload + jpeg.substr(2);
}

std::string PngHeaderOnly(uint32_t width, uint32_t height) {
    std::string png = "\x89PNG\r\n\x1A\n";
    std::string ihdr;
    Put32(ihdr, width);
    Put32(ihdr, height);
    ihdr +=
        std::string("\x08\x02\x00\x00\x00", 5);  // depth 8, RGB, deflate, filter 0, no interlace
    PngChunk(png, "IHDR", ihdr);
    PngChunk(png, "IDAT", std::string("\x78\x9C\x03\x00", 4));
    PngChunk(png, "IEND", "");
    return png;
}

Decoded DecodeSize(const std::string& bytes) {
    ImagePtr image = Load(bytes);
    return {
        vips_image_get_width(image.get()), vips_image_get_height(image.get()),
        vips_image_get_bands(image.get())};
}

Rgb PixelAt(const std::string& bytes, int x, int y) {
    ImagePtr image = Load(bytes);
    double* values = nullptr;
    int n = 0;
    if (vips_getpoint(image.get(), &values, &n, x, y, nullptr) != 0) {
        Fail("getpoint");
    }
    Rgb rgb{
        static_cast<int>(values[0]), static_cast<int>(n > 1 ? values[1] : values[0]),
        static_cast<int>(n > 2 ? values[2] : values[0])};
    g_free(values);
    return rgb;
}

}  // namespace hatongsu::album::test_images
