// Cost of VipsImageProcessor::Process (sniff, header, one shrink-on-load decode, 1440 px JPEG
// preview and 250 px WebP thumbnail) for a 12-megapixel JPEG phone photo with EXIF, and for a
// small one. One libvips thread per image, as in the album worker's decode pool. The CPU column is
// the whole process's (libvips decodes on its own worker thread): the cost of one image to a core.
#include <string>

#include <benchmark/benchmark.h>

#include "services/album/adapter/vips/tests/test_images.h"
#include "services/album/adapter/vips/vips_image_processor.h"

namespace {

using hatongsu::album::VipsImageProcessor;
using namespace hatongsu::album::test_images;  // NOLINT(google-build-using-namespace): bench

std::string Photo(int width, int height) {
    return WithExifApp1(
        EncodeJpeg(Picture{.width = width, .height = height, .corner = 0, .noise = true}),
        ExifTiff({.date_time_original = "2024:05:06 07:08:09", .orientation = 6}));
}

void BM_ProcessJpeg(benchmark::State& state) {
    hatongsu::album::InitVips("image_processor_bench");
    const std::string photo =
        Photo(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
    VipsImageProcessor processor;
    for (auto _ : state) {
        auto image = processor.Process(photo);
        if (!image.ok()) {
            state.SkipWithError("Process failed");
            break;
        }
        benchmark::DoNotOptimize(image->preview_jpeg.data());
    }
    state.SetBytesProcessed(
        static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(photo.size()));
    state.counters["file_bytes"] = static_cast<double>(photo.size());
}
BENCHMARK(BM_ProcessJpeg)
    ->Args({4000, 3000})
    ->Args({1000, 750})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
