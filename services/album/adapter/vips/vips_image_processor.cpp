#include "services/album/adapter/vips/vips_image_processor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <absl/status/status.h>
#include <vips/vips.h>

namespace hatongsu::album {
namespace {

constexpr char kNotAnImage[] = "NOT_AN_IMAGE";
constexpr char kTooManyPixels[] = "TOO_MANY_PIXELS";
constexpr char kCorruptImage[] = "CORRUPT_IMAGE";

struct ImageUnref {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

struct GFree {
    void operator()(void* p) const { g_free(p); }
};

absl::Status Corrupt() {
    // libvips' error text is process-wide (shared by every thread) and never reaches the client;
    // clearing it keeps it from filling up with other uploads' messages.
    vips_error_clear();
    return absl::InvalidArgumentError(kCorruptImage);
}

uint32_t BigEndian32(std::string_view b, size_t pos) {
    return (uint32_t{static_cast<unsigned char>(b[pos])} << 24) |
           (uint32_t{static_cast<unsigned char>(b[pos + 1])} << 16) |
           (uint32_t{static_cast<unsigned char>(b[pos + 2])} << 8) |
           uint32_t{static_cast<unsigned char>(b[pos + 3])};
}

bool IsHevcBrand(std::string_view brand) {
    constexpr std::array<std::string_view, 8> kBrands = {"heic", "heix", "heim", "heis",
                                                         "hevc", "hevx", "hevm", "hevs"};
    return std::find(kBrands.begin(), kBrands.end(), brand) != kBrands.end();
}

// An ISO-BMFF file whose leading ftyp box names an HEVC image brand, as major or compatible.
bool IsHeic(std::string_view b) {
    if (b.size() < 16 || b.substr(4, 4) != "ftyp") {
        return false;
    }
    const size_t box_size = BigEndian32(b, 0);
    constexpr size_t kMaxFtypSize = 4096;  // real ones hold a handful of brands
    if (box_size < 16 || box_size > b.size() || box_size > kMaxFtypSize) {
        return false;
    }
    if (IsHevcBrand(b.substr(8, 4))) {
        return true;
    }
    for (size_t pos = 16; pos + 4 <= box_size; pos += 4) {  // after major brand + minor version
        if (IsHevcBrand(b.substr(pos, 4))) {
            return true;
        }
    }
    return false;
}

struct FormatInfo {
    const char* mime_type;
    const char* extension;
};

FormatInfo Info(ImageFormat format) {
    switch (format) {
        case ImageFormat::kJpeg:
            return {"image/jpeg", "jpg"};
        case ImageFormat::kPng:
            return {"image/png", "png"};
        case ImageFormat::kWebp:
            return {"image/webp", "webp"};
        case ImageFormat::kHeic:
            return {"image/heic", "heic"};
    }
    return {"application/octet-stream", "bin"};
}

// How much a loader may shrink while decoding: JPEG by 1, 2, 4 or 8 (libjpeg's DCT scaling),
// WebP by any factor (libwebp's scaler); PNG and HEIC always decode at full size.
struct Shrink {
    int jpeg = 1;
    double webp = 1.0;
};

// Opens the image with the sniffed format's own loader, never libvips' guess. libvips reads
// pixels lazily, so this reads the header only; pixels are decoded when the image is first
// computed. Sequential access (streams through the file once), and fail_on=truncated (so a
// truncated file is an error rather than silently grey-filled).
ImagePtr Load(ImageFormat format, std::string_view bytes, Shrink shrink = {}) {
    void* data = const_cast<char*>(bytes.data());  // libvips only reads it
    VipsImage* out = nullptr;
    int rc = -1;
    switch (format) {
        case ImageFormat::kJpeg:
            rc = vips_jpegload_buffer(
                data, bytes.size(), &out, "shrink", shrink.jpeg, "access", VIPS_ACCESS_SEQUENTIAL,
                "fail_on", VIPS_FAIL_ON_TRUNCATED, nullptr);
            break;
        case ImageFormat::kPng:
            rc = vips_pngload_buffer(
                data, bytes.size(), &out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                VIPS_FAIL_ON_TRUNCATED, nullptr);
            break;
        case ImageFormat::kWebp:
            rc = vips_webpload_buffer(
                data, bytes.size(), &out, "scale", shrink.webp, "access", VIPS_ACCESS_SEQUENTIAL,
                "fail_on", VIPS_FAIL_ON_TRUNCATED, nullptr);
            break;
        case ImageFormat::kHeic:
            rc = vips_heifload_buffer(
                data, bytes.size(), &out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                VIPS_FAIL_ON_TRUNCATED, nullptr);
            break;
    }
    if (rc != 0) {
        return nullptr;
    }
    return ImagePtr(out);
}

std::optional<std::string> GetString(VipsImage* image, const char* name) {
    if (vips_image_get_typeof(image, name) == 0) {
        return std::nullopt;
    }
    const char* value = nullptr;
    if (vips_image_get_string(image, name, &value) != 0 || value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

// libvips renders an EXIF ASCII field as "<value> (<value>, ASCII, N components, N bytes)"; the
// part before " (" is the value (a value containing " (" is no date or offset anyway).
std::string ExifRawValue(VipsImage* image, const char* name) {
    std::optional<std::string> text = GetString(image, name);
    if (!text) {
        return {};
    }
    const size_t end = text->find(" (");
    return end == std::string::npos ? *text : text->substr(0, end);
}

ExifDates ReadExifDates(VipsImage* header) {
    auto date = [header](const char* date_tag, const char* subsec_tag) {
        return WithSubSec(
            ParseExifDateTime(ExifRawValue(header, date_tag)), ExifRawValue(header, subsec_tag));
    };
    return ExifDates{
        .date_time = date("exif-ifd0-DateTime", "exif-ifd2-SubsecTime"),
        .date_time_original = date("exif-ifd2-DateTimeOriginal", "exif-ifd2-SubSecTimeOriginal"),
        .date_time_digitized = date("exif-ifd2-DateTimeDigitized", "exif-ifd2-SubSecTimeDigitized"),
        .offset_original_minutes =
            ParseExifOffset(ExifRawValue(header, "exif-ifd2-OffsetTimeOriginal")),
    };
}

int GetIntOr(VipsImage* image, const char* name, int fallback) {
    int value = fallback;
    if (vips_image_get_typeof(image, name) == 0 || vips_image_get_int(image, name, &value) != 0) {
        return fallback;
    }
    return value;
}

// True when the codec needs the whole image in memory to decode even a shrunk version.
bool DecodesWhole(ImageFormat format, VipsImage* header) {
    switch (format) {
        case ImageFormat::kJpeg:
            return GetIntOr(header, "jpeg-multiscan", 0) != 0;  // progressive
        case ImageFormat::kPng:
            return GetIntOr(header, "interlaced", 0) != 0;  // Adam7
        case ImageFormat::kWebp:
            return false;
        case ImageFormat::kHeic:
            return true;
    }
    return true;
}

// Drops every metadata field (EXIF, XMP, IPTC, ICC profile, loader notes) from an image we own,
// so no saver writes any of it. This is also why no saver reads them: libvips 8.14's heifload
// leaves the "exif-data" blob pointing at memory it frees with the loader (webpsave's EXIF update
// then read freed memory under ASan), and webpsave writes EXIF even when told to strip.
void StripMetadata(VipsImage* image) {
    gchar** fields = vips_image_get_fields(image);
    for (gchar** field = fields; *field != nullptr; ++field) {
        vips_image_remove(image, *field);  // the core fields (width...) are not removable: no-op
    }
    g_strfreev(fields);
}

// 8-bit sRGB or greyscale, with or without alpha: what both savers take without surprises.
ImagePtr ToEightBit(ImagePtr image) {
    if (vips_image_get_format(image.get()) == VIPS_FORMAT_UCHAR) {
        return image;
    }
    const bool grey = vips_image_get_bands(image.get()) <= 2;
    VipsImage* out = nullptr;
    if (vips_colourspace(
            image.get(), &out, grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
            nullptr) != 0) {
        return nullptr;
    }
    ImagePtr converted(out);
    if (vips_image_get_format(converted.get()) == VIPS_FORMAT_UCHAR) {
        return converted;
    }
    if (vips_cast_uchar(converted.get(), &out, nullptr) != 0) {
        return nullptr;
    }
    return ImagePtr(out);
}

std::optional<std::string> SaveJpeg(VipsImage* image, int quality) {
    ImagePtr flat;
    if (vips_image_hasalpha(image)) {  // JPEG has no alpha: put transparent parts on white
        VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
        VipsImage* out = nullptr;
        const int rc = vips_flatten(image, &out, "background", white, nullptr);
        vips_area_unref(VIPS_AREA(white));
        if (rc != 0) {
            return std::nullopt;
        }
        flat.reset(out);
        image = flat.get();
    }
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_jpegsave_buffer(
            image, &buffer, &length, "Q", quality, "strip", TRUE, "optimize_coding", TRUE,
            nullptr) != 0) {
        return std::nullopt;
    }
    std::unique_ptr<void, GFree> owned(buffer);
    return std::string(static_cast<const char*>(buffer), length);
}

uint32_t LittleEndian32(std::string_view b, size_t pos) {
    return uint32_t{static_cast<unsigned char>(b[pos])} |
           (uint32_t{static_cast<unsigned char>(b[pos + 1])} << 8) |
           (uint32_t{static_cast<unsigned char>(b[pos + 2])} << 16) |
           (uint32_t{static_cast<unsigned char>(b[pos + 3])} << 24);
}

void PutLittleEndian32(std::string& b, size_t pos, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b[pos + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
}

// libvips 8.14's webpsave writes an EXIF chunk (resolution tags it makes up) even with "strip":
// drop the EXIF and XMP chunks and their VP8X flags. nullopt if the RIFF structure is not as
// libwebp writes it.
std::optional<std::string> WithoutWebpMetadata(std::string_view webp) {
    constexpr size_t kRiffHeader = 12;  // "RIFF" size "WEBP"
    constexpr size_t kChunkHeader = 8;  // fourcc size
    constexpr char kVp8xExifFlag = 0x08;
    constexpr char kVp8xXmpFlag = 0x04;
    if (webp.size() < kRiffHeader || webp.substr(0, 4) != "RIFF" || webp.substr(8, 4) != "WEBP") {
        return std::nullopt;
    }
    std::string out(webp.substr(0, kRiffHeader));
    size_t pos = kRiffHeader;
    while (pos < webp.size()) {
        if (webp.size() - pos < kChunkHeader) {
            return std::nullopt;
        }
        const std::string_view fourcc = webp.substr(pos, 4);
        const size_t size = LittleEndian32(webp, pos + 4);
        const size_t padded = size + (size % 2);
        if (padded > webp.size() - pos - kChunkHeader) {
            return std::nullopt;
        }
        if (fourcc != "EXIF" && fourcc != "XMP ") {
            const size_t start = out.size();
            out.append(webp.substr(pos, kChunkHeader + padded));
            if (fourcc == "VP8X" && size >= 1) {
                out[start + kChunkHeader] &= static_cast<char>(~(kVp8xExifFlag | kVp8xXmpFlag));
            }
        }
        pos += kChunkHeader + padded;
    }
    PutLittleEndian32(out, 4, static_cast<uint32_t>(out.size() - 8));
    return out;
}

std::optional<std::string> SaveWebp(VipsImage* image, int quality) {
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_webpsave_buffer(image, &buffer, &length, "Q", quality, "strip", TRUE, nullptr) != 0) {
        return std::nullopt;
    }
    std::unique_ptr<void, GFree> owned(buffer);
    return WithoutWebpMetadata(std::string_view(static_cast<const char*>(buffer), length));
}

struct Size {
    int width = 0;
    int height = 0;
};

// width x height scaled down to fit a box x box square (never up), longest side exactly box.
Size FitInBox(int width, int height, int box) {
    const int long_side = std::max(width, height);
    if (long_side <= box) {
        return {width, height};
    }
    const double scale = static_cast<double>(box) / long_side;
    auto scaled = [scale](int side) {
        return std::max(1, static_cast<int>(std::lround(side * scale)));
    };
    return width >= height ? Size{box, scaled(height)} : Size{scaled(width), box};
}

// The most the decoder may shrink a width x height image while still covering `target`.
Shrink ShrinkOnLoad(ImageFormat format, int width, int height, Size target) {
    Shrink shrink;
    if (format == ImageFormat::kJpeg) {
        for (int factor : {8, 4, 2}) {  // libjpeg rounds scaled sizes up
            if ((width + factor - 1) / factor >= target.width &&
                (height + factor - 1) / factor >= target.height) {
                shrink.jpeg = factor;
                break;
            }
        }
    } else if (format == ImageFormat::kWebp && target.width < width) {
        shrink.webp = static_cast<double>(target.width) / width;
    }
    return shrink;
}

// Above this shrink factor, a whole-number box shrink comes before the Lanczos reduce.
constexpr double kMaxReduce = 8.0;

// The transposed route in ReduceTransposed holds the image reduced to its final height in memory,
// twice (it and its transpose): up to this many bytes each. Wider images (a PNG streamed through
// at full size) keep vips_resize's streaming, which holds a few lines.
constexpr int64_t kMaxTransposedBytes = 32 << 20;

// Rows become columns: out(x, y) = in(y, x), for `kPel`-byte pixels, in 32 x 32 tiles so both
// sides stay in cache.
template <size_t kPel>
void TransposePixels(
    const VipsPel* in, size_t in_line, int width, int height, VipsPel* out, size_t out_line) {
    constexpr int kTile = 32;
    for (int y0 = 0; y0 < height; y0 += kTile) {
        for (int x0 = 0; x0 < width; x0 += kTile) {
            const int y1 = std::min(height, y0 + kTile);
            const int x1 = std::min(width, x0 + kTile);
            for (int y = y0; y < y1; ++y) {
                const VipsPel* row = in + (static_cast<size_t>(y) * in_line);
                for (int x = x0; x < x1; ++x) {
                    std::memcpy(
                        out + (static_cast<size_t>(x) * out_line) + (static_cast<size_t>(y) * kPel),
                        row + (static_cast<size_t>(x) * kPel), kPel);
                }
            }
        }
    }
}

using TransposeFn = void (*)(const VipsPel*, size_t, int, int, VipsPel*, size_t);

// TransposePixels for pixels of `pel` bytes: 1-4 (8-bit grey to RGBA), 6 and 8 (16-bit RGB and
// RGBA), 12 and 16 (float RGB and RGBA, premultiplied alpha); nullptr for any other size.
TransposeFn TransposeFor(size_t pel) {
    switch (pel) {
        case 1:
            return TransposePixels<1>;
        case 2:
            return TransposePixels<2>;
        case 3:
            return TransposePixels<3>;
        case 4:
            return TransposePixels<4>;
        case 6:
            return TransposePixels<6>;
        case 8:
            return TransposePixels<8>;
        case 12:
            return TransposePixels<12>;
        case 16:
            return TransposePixels<16>;
        default:
            return nullptr;
    }
}

// The transpose of `image` (made to sit in memory first; a pixel size TransposeFor knows), or
// nullptr when its pixels do not decode. libvips' own vips_rot copies pixel by
// pixel through a memcpy call: 5-7 ms for a 2000 x 1080 RGB image, where this takes about 1.
ImagePtr Transpose(VipsImage* image) {
    const TransposeFn transpose = TransposeFor(VIPS_IMAGE_SIZEOF_PEL(image));
    if (transpose == nullptr) {
        return nullptr;
    }
    ImagePtr in(vips_image_copy_memory(image));
    if (!in) {
        return nullptr;
    }
    ImagePtr out(vips_image_new_memory());
    // The metadata (EXIF orientation, ICC profile: steps after this one read them) comes along.
    if (vips_image_pipelinev(out.get(), VIPS_DEMAND_STYLE_ANY, in.get(), nullptr) != 0) {
        return nullptr;
    }
    vips_image_init_fields(
        out.get(), vips_image_get_height(in.get()), vips_image_get_width(in.get()),
        vips_image_get_bands(in.get()), vips_image_get_format(in.get()),
        vips_image_get_coding(in.get()), vips_image_get_interpretation(in.get()),
        vips_image_get_yres(in.get()), vips_image_get_xres(in.get()));
    if (vips_image_write_prepare(out.get()) != 0) {
        return nullptr;
    }
    transpose(
        VIPS_IMAGE_ADDR(in.get(), 0, 0), VIPS_IMAGE_SIZEOF_LINE(in.get()),
        vips_image_get_width(in.get()), vips_image_get_height(in.get()),
        VIPS_IMAGE_ADDR(out.get(), 0, 0), VIPS_IMAGE_SIZEOF_LINE(out.get()));
    return out;
}

// A Lanczos 3 reduce of the height to `height` (vips_reducev), or `image` itself when it has
// that height already; nullptr if libvips fails or rounds to another height.
ImagePtr ReduceHeight(VipsImage* image, int height) {
    g_object_ref(image);
    ImagePtr same(image);
    if (vips_image_get_height(image) == height) {
        return same;
    }
    VipsImage* out = nullptr;
    const double shrink = static_cast<double>(vips_image_get_height(image)) / height;
    if (vips_reducev(image, &out, shrink, nullptr) != 0) {
        return nullptr;
    }
    ImagePtr reduced(out);
    return vips_image_get_height(reduced.get()) == height ? std::move(reduced) : nullptr;
}

// Whether ReduceTransposed takes `image`: a pixel size TransposePixels knows, and the image
// reduced to the target height within kMaxTransposedBytes.
bool FitsTransposed(VipsImage* image, Size target) {
    const auto tall_bytes = static_cast<int64_t>(VIPS_IMAGE_SIZEOF_PEL(image)) *
                            vips_image_get_width(image) * target.height;
    return TransposeFor(VIPS_IMAGE_SIZEOF_PEL(image)) != nullptr &&
           tall_bytes <= kMaxTransposedBytes;
}

// Both reduces as vertical ones: the height, then the width by way of a transpose each side.
// libvips 8.14's vertical reduce is vectorised and its horizontal one is not: 2000 -> 1440 px
// across 1080 rows takes 22 ms of a core horizontally, 7 this way, for the same pixels (at most
// one grey level apart, from rounding). For images FitsTransposed takes; nullptr when the pixels
// do not decode.
ImagePtr ReduceTransposed(VipsImage* image, Size target) {
    ImagePtr tall = ReduceHeight(image, target.height);
    if (!tall || vips_image_get_width(tall.get()) == target.width) {
        return tall;
    }
    ImagePtr turned = Transpose(tall.get());
    if (!turned) {
        return nullptr;
    }
    ImagePtr narrowed = ReduceHeight(turned.get(), target.width);
    if (!narrowed) {
        return nullptr;
    }
    return Transpose(narrowed.get());
}

// Shrinks to exactly `target` (never larger than the image: targets come from FitInBox). Up to
// kMaxReduce, one Lanczos 3 reduce over the whole factor (gap 0); beyond it, a box shrink by
// whole numbers first, leaving a reduce of 4x to 8x (libvips refuses a Lanczos mask past about
// 330x: a 500,000 x 2 panorama). libvips 8.14's default gap of 2 (its own box pre-shrink) made
// 1440 to 250 px cost 48 ms of a core instead of 5 ms, for 0.6 grey levels of difference on
// average. The reduce goes the transposed way where it fits (ReduceTransposed), else through
// vips_resize.
ImagePtr Reduce(VipsImage* image, Size target) {
    ImagePtr boxed;
    const double hshrink = static_cast<double>(vips_image_get_width(image)) / target.width;
    const double vshrink = static_cast<double>(vips_image_get_height(image)) / target.height;
    VipsImage* out = nullptr;
    if (hshrink > kMaxReduce || vshrink > kMaxReduce) {
        const int hbox = std::max(1, static_cast<int>(hshrink / 4));
        const int vbox = std::max(1, static_cast<int>(vshrink / 4));
        if (vips_shrink(image, &out, hbox, vbox, nullptr) != 0) {
            return nullptr;
        }
        boxed.reset(out);
        image = boxed.get();
    }
    if (FitsTransposed(image, target)) {
        return ReduceTransposed(image, target);
    }
    const double hscale = static_cast<double>(target.width) / vips_image_get_width(image);
    const double vscale = static_cast<double>(target.height) / vips_image_get_height(image);
    if (vips_resize(image, &out, hscale, "vscale", vscale, "gap", 0.0, nullptr) != 0) {
        return nullptr;
    }
    return ImagePtr(out);
}

// Resizes to exactly `target`, with alpha premultiplied so transparent pixels do not bleed their
// colour into the edges.
ImagePtr ResizeTo(ImagePtr image, Size target) {
    const int width = vips_image_get_width(image.get());
    const int height = vips_image_get_height(image.get());
    if (width == target.width && height == target.height) {
        return image;
    }
    if (!vips_image_hasalpha(image.get())) {
        return Reduce(image.get(), target);
    }
    const VipsBandFormat format = vips_image_get_format(image.get());
    VipsImage* out = nullptr;
    if (vips_premultiply(image.get(), &out, nullptr) != 0) {
        return nullptr;
    }
    ImagePtr premultiplied(out);
    ImagePtr resized = Reduce(premultiplied.get(), target);
    if (!resized) {
        return nullptr;
    }
    if (vips_unpremultiply(resized.get(), &out, nullptr) != 0) {
        return nullptr;
    }
    ImagePtr unpremultiplied(out);
    if (vips_cast(unpremultiplied.get(), &out, format, nullptr) != 0) {
        return nullptr;
    }
    return ImagePtr(out);
}

// Pixels in sRGB, since the derivatives carry no profile: CMYK through its embedded profile or
// libvips' fallback CMYK profile; RGB or grey with an embedded profile (Display P3 phones, Adobe
// RGB cameras) through lcms. A profile lcms refuses is ignored (the pixels are kept as they are)
// rather than costing the photo; CMYK that cannot be converted is an error.
ImagePtr ToSrgb(ImagePtr image) {
    VipsImage* out = nullptr;
    if (vips_image_guess_interpretation(image.get()) == VIPS_INTERPRETATION_CMYK) {
        if (vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
            return nullptr;
        }
        return ImagePtr(out);
    }
    if (vips_image_get_typeof(image.get(), VIPS_META_ICC_NAME) == 0) {
        return image;
    }
    if (vips_icc_transform(image.get(), &out, "srgb", "embedded", TRUE, nullptr) == 0) {
        return ImagePtr(out);
    }
    vips_error_clear();
    return image;
}

// The one decode: shrink-on-load, resize to the preview size, sRGB, 8 bits, into memory, then
// the EXIF orientation applied and all metadata dropped. nullptr if the pixels do not decode.
ImagePtr DecodePreview(ImageFormat format, std::string_view bytes, int width, int height, int box) {
    const Size target = FitInBox(width, height, box);
    ImagePtr image = Load(format, bytes, ShrinkOnLoad(format, width, height, target));
    if (image) {
        image = ResizeTo(std::move(image), target);
    }
    if (image) {
        image = ToSrgb(std::move(image));
    }
    if (image) {
        image = ToEightBit(std::move(image));
    }
    if (!image) {
        return nullptr;
    }
    ImagePtr decoded(vips_image_copy_memory(image.get()));  // decoding happens here
    if (!decoded) {
        return nullptr;
    }
    if (vips_image_get_orientation(decoded.get()) == 1) {  // upright already: no second copy
        StripMetadata(decoded.get());
        return decoded;
    }
    VipsImage* out = nullptr;
    if (vips_autorot(decoded.get(), &out, nullptr) != 0) {
        return nullptr;
    }
    ImagePtr rotated(out);
    ImagePtr preview(vips_image_copy_memory(rotated.get()));
    if (preview) {
        StripMetadata(preview.get());
    }
    return preview;
}

void DropLogMessage(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

}  // namespace

bool InitVips(const char* argv0, int threads_per_image) {
    static bool started = false;
    static std::once_flag once;
    std::call_once(once, [argv0, threads_per_image] {
        if (VIPS_INIT(argv0) != 0) {
            return;
        }
        vips_block_untrusted_set(TRUE);
        vips_cache_set_max(0);
        vips_cache_set_max_mem(0);
        vips_cache_set_max_files(0);
        if (threads_per_image > 0) {
            vips_concurrency_set(threads_per_image);
        }
        g_log_set_handler(
            "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
            DropLogMessage, nullptr);
        started = true;
    });
    return started;
}

std::optional<ImageFormat> SniffImageFormat(std::string_view b) {
    if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") {
        return ImageFormat::kJpeg;
    }
    if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") {
        return ImageFormat::kPng;
    }
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
        return ImageFormat::kWebp;
    }
    if (IsHeic(b)) {
        return ImageFormat::kHeic;
    }
    return std::nullopt;
}

absl::StatusOr<ProcessedImage> VipsImageProcessor::Process(std::string_view bytes) {
    const std::optional<ImageFormat> format = SniffImageFormat(bytes);
    if (!format) {
        return absl::InvalidArgumentError(kNotAnImage);
    }

    ImagePtr header = Load(*format, bytes);
    if (!header) {
        return Corrupt();
    }
    const int width = vips_image_get_width(header.get());
    const int height = vips_image_get_height(header.get());
    const int64_t pixels = int64_t{width} * int64_t{height};
    if (width <= 0 || height <= 0) {
        return Corrupt();
    }
    if (pixels > options_.max_pixels ||
        (DecodesWhole(*format, header.get()) && pixels > options_.max_buffered_pixels)) {
        return absl::InvalidArgumentError(kTooManyPixels);
    }
    const bool swap = vips_image_get_orientation_swap(header.get());
    ProcessedImage result{
        .format = *format,
        .mime_type = Info(*format).mime_type,
        .extension = Info(*format).extension,
        .width = swap ? height : width,
        .height = swap ? width : height,
        .exif = ReadExifDates(header.get()),
        .thumbnail_webp = {},
        .preview_jpeg = {},
    };
    header.reset();

    ImagePtr preview = DecodePreview(*format, bytes, width, height, options_.preview_size);
    if (!preview) {
        return Corrupt();
    }

    std::optional<std::string> preview_jpeg = SaveJpeg(preview.get(), options_.preview_quality);
    if (!preview_jpeg) {
        return Corrupt();
    }
    // The thumbnail from the decoded preview, not from the original.
    g_object_ref(preview.get());
    ImagePtr thumbnail = ResizeTo(
        ImagePtr(preview.get()),
        FitInBox(
            vips_image_get_width(preview.get()), vips_image_get_height(preview.get()),
            options_.thumbnail_size));
    if (!thumbnail) {
        return Corrupt();
    }
    std::optional<std::string> thumbnail_webp =
        SaveWebp(thumbnail.get(), options_.thumbnail_quality);
    if (!thumbnail_webp) {
        return Corrupt();
    }
    result.preview_jpeg = std::move(*preview_jpeg);
    result.thumbnail_webp = std::move(*thumbnail_webp);
    return result;
}

}  // namespace hatongsu::album
