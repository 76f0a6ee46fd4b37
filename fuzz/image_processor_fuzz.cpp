// libFuzzer target for the album's image processing (VipsImageProcessor::Process: sniffing,
// header reads, EXIF fields, decode, derivatives) on libvips. Slower per input than the parser
// targets (a decode per run) and it fuzzes libjpeg, libpng, libwebp and libheif along with our
// code, so run it for long sessions rather than in the 20 s test budget. Build (clang):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. $(pkg-config --cflags vips) \
//       fuzz/image_processor_fuzz.cpp services/album/adapter/vips/vips_image_processor.cpp \
//       services/album/domain/exif_date.cpp $(pkg-config --libs vips absl_statusor) \
//       -o image_processor_fuzz
//   ./image_processor_fuzz -max_len=65536 -rss_limit_mb=2048 fuzz/corpus/image_processor
// Invariants: every input gives either a result with sane sizes and both derivatives in their
// formats, or InvalidArgument with one of the three reasons; never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "services/album/adapter/vips/vips_image_processor.h"

namespace {

void Check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool started = hatongsu::album::InitVips("image_processor_fuzz");
    Check(started, "libvips starts");
    // Small limits keep each run fast; the logic is the same at any size.
    static hatongsu::album::VipsImageProcessor processor({
        .max_pixels = 4'000'000,
        .max_buffered_pixels = 1'000'000,
        .preview_size = 256,
        .thumbnail_size = 64,
    });
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto image = processor.Process(bytes);
    if (!image.ok()) {
        const absl::Status& s = image.status();
        Check(s.code() == absl::StatusCode::kInvalidArgument, "errors are InvalidArgument");
        Check(
            s.message() == "NOT_AN_IMAGE" || s.message() == "TOO_MANY_PIXELS" ||
                s.message() == "CORRUPT_IMAGE",
            "one of the three reasons");
        return 0;
    }
    Check(image->width > 0 && image->height > 0, "positive size");
    Check(int64_t{image->width} * image->height <= 4'000'000, "within the pixel limit");
    Check(image->preview_jpeg.substr(0, 3) == "\xFF\xD8\xFF", "preview is a JPEG");
    Check(
        image->thumbnail_webp.size() >= 12 && image->thumbnail_webp.substr(0, 4) == "RIFF" &&
            image->thumbnail_webp.substr(8, 4) == "WEBP",
        "thumbnail is a WebP");
    Check(image->thumbnail_webp.find("EXIF") == std::string::npos, "thumbnail has no EXIF chunk");
    return 0;
}
