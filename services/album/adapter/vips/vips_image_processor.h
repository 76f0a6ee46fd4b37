// VipsImageProcessor: the ImageProcessor port on libvips 8.14.
//
//   InitVips(argv[0]);  // once, in main (or a test environment), before any Process
//   VipsImageProcessor images({.max_pixels = 100'000'000});
//   absl::StatusOr<ProcessedImage> image = images.Process(bytes);  // on the decode pool
//
// What Process does, in order:
//  1. Sniffs the type from the magic bytes: JPEG (FF D8 FF), PNG (its 8-byte signature), WebP
//     (RIFF....WEBP), HEIC (an ISO-BMFF ftyp box naming an HEVC brand: heic, heix, heim, heis,
//     hevc, hevx, hevm, hevs). Everything else is InvalidArgument "NOT_AN_IMAGE", including
//     formats libvips could read: GIF, ICO, BMP, TIFF, SVG, PDF, AVIF, JPEG XL.
//  2. Opens the header only, with that format's own loader (never libvips' guess): width, height,
//     EXIF orientation and dates. Over max_pixels (width x height, before orientation) is
//     InvalidArgument "TOO_MANY_PIXELS" with nothing decoded. Formats that libjpeg/libpng/libheif
//     must hold whole in memory to decode at all (progressive JPEG, interlaced PNG, HEIC) are held
//     to the lower max_buffered_pixels, so one decode's memory stays bounded by the options.
//  3. Decodes once, into memory: shrinking on load as far as the preview size allows (libjpeg's
//     1/2, 1/4, 1/8 DCT scaling, libwebp's scaler; PNG streams through at full size, HEIC is
//     decoded whole), then a Lanczos resize to the preview size (never upscaling), CMYK or an
//     embedded colour profile converted to sRGB, 16-bit samples to 8, and the EXIF orientation
//     applied (HEIC: libheif applies the file's own rotation and libvips ignores EXIF's). The
//     preview (JPEG; transparency flattened on white) and the thumbnail (WebP, alpha kept, made
//     from the decoded preview, not from the original) are saved with all metadata stripped (no
//     EXIF, no GPS, no profile). Any decode failure, truncated files included, is
//     InvalidArgument "CORRUPT_IMAGE".
//  Reported width/height are the original's after orientation (5-8 swap them).
//
// Thread-safe: Process may run on many threads at once (libvips is thread-safe; this object is
// immutable). Each call's memory is bounded by the options: the undecoded bytes, the preview in
// memory (preview_size^2 x 4 bytes), while resizing at most 2 x 32 MiB (the image reduced to its
// final height and its transpose; wider images stream through vips_resize instead) and, for
// progressive JPEG / interlaced PNG / HEIC, about 3-6 bytes per source pixel inside the codec.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "services/album/port/image_processor.h"

namespace hatongsu::album {

// Starts libvips for the process: VIPS_INIT, vips_block_untrusted_set(TRUE) (loaders marked
// untrusted such as ImageMagick are never used), the operation cache off (memory stays bounded by
// the calls in flight), `threads_per_image` worker threads per pipeline (1 suits a decode pool
// already sized to the cores; 0 keeps libvips' default, one per core), and libvips' own warnings
// silenced (they would break the JSON log
// lines on stderr; failures still come back as CORRUPT_IMAGE). Idempotent and thread-safe; only
// the first call's arguments count. Returns false when libvips cannot start.
bool InitVips(const char* argv0, int threads_per_image = 1);

struct VipsImageProcessorOptions {
    int64_t max_pixels = 100'000'000;          // width x height limit, checked on the header
    int64_t max_buffered_pixels = 64'000'000;  // the same for progressive JPEG, interlaced
                                               // PNG and HEIC (decoded whole by their codecs)
    int preview_size = 1440;                   // longest side of the JPEG preview, at most
    int thumbnail_size = 250;                  // longest side of the WebP thumbnail, at most
    int preview_quality = 82;                  // JPEG Q
    int thumbnail_quality = 75;                // WebP Q
};

// The format by magic bytes alone (step 1 above); nullopt for anything else.
std::optional<ImageFormat> SniffImageFormat(std::string_view bytes);

class VipsImageProcessor final : public ImageProcessor {
public:
    explicit VipsImageProcessor(VipsImageProcessorOptions options = {}) : options_(options) {}
    // Requires InitVips. Errors: see port/image_processor.h.
    absl::StatusOr<ProcessedImage> Process(std::string_view bytes) override;

private:
    const VipsImageProcessorOptions options_;
};

}  // namespace hatongsu::album
