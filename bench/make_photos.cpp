// make_photos DIR COUNT [WIDTH HEIGHT]: writes COUNT distinct JPEG "phone photos" for the upload
// benchmark, DIR/photo_0001.jpg ... (default 4000 x 3000 = 12 megapixels). The pixels are encoded
// once (gradients plus grain, so they compress like a photo, a few MB each); each file then gets
// its own EXIF block (DateTimeOriginal one minute apart from 2024-01-01 00:00:00,
// OffsetTimeOriginal +09:00, Orientation 1), so every file has different bytes and a different
// sha256.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "services/album/adapter/vips/tests/test_images.h"
#include "services/album/adapter/vips/vips_image_processor.h"

namespace {

int Usage() {
    std::fprintf(stderr, "usage: make_photos DIR COUNT [WIDTH HEIGHT]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace hatongsu::album::test_images;  // NOLINT(google-build-using-namespace): tool
    if (argc != 3 && argc != 5) {
        return Usage();
    }
    const std::filesystem::path dir = argv[1];
    const int count = std::atoi(argv[2]);
    const int width = argc == 5 ? std::atoi(argv[3]) : 4000;
    const int height = argc == 5 ? std::atoi(argv[4]) : 3000;
    if (count <= 0 || count > 100'000 || width <= 0 || height <= 0 || width > 20'000 ||
        height > 20'000) {
        return Usage();
    }
    if (!hatongsu::album::InitVips(argv[0], 0)) {
        std::fprintf(stderr, "make_photos: libvips did not start\n");
        return 1;
    }
    std::filesystem::create_directories(dir);
    const std::string pixels =
        EncodeJpeg(Picture{.width = width, .height = height, .corner = 0, .noise = true});
    size_t total = 0;
    for (int i = 0; i < count; ++i) {
        char date[32];
        std::snprintf(
            date, sizeof date, "2024:01:%02d %02d:%02d:00", 1 + i / 1440, i / 60 % 24, i % 60);
        const std::string photo = WithExifApp1(
            pixels, ExifTiff({
                        .date_time = date,
                        .date_time_original = date,
                        .date_time_digitized = date,
                        .offset_time_original = "+09:00",
                        .orientation = 1,
                    }));
        char name[32];
        std::snprintf(name, sizeof name, "photo_%04d.jpg", i + 1);
        std::ofstream out(dir / name, std::ios::binary);
        out.write(photo.data(), static_cast<std::streamsize>(photo.size()));
        if (!out) {
            std::fprintf(stderr, "make_photos: cannot write %s\n", (dir / name).c_str());
            return 1;
        }
        total += photo.size();
    }
    std::printf(
        "make_photos: %d JPEGs of %dx%d in %s, %zu bytes each on average\n", count, width, height,
        dir.c_str(), total / static_cast<size_t>(count));
    return 0;
}
