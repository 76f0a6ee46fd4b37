// Port: turns the bytes of an uploaded file into what the album stores: its real type (sniffed
// from the bytes, never from the name), its EXIF capture dates, and two derivatives made from one
// decode with the EXIF orientation applied. The adapter (adapter/vips) uses libvips; tests use a
// fake. Process blocks and is CPU-heavy: call it on the decode pool. Thread-safe.
//
// Errors (the reason text is what GET /file/uploads/{batchId} shows):
//   InvalidArgument "NOT_AN_IMAGE"    not a JPEG, PNG, WebP or HEIC by its bytes
//   InvalidArgument "TOO_MANY_PIXELS" header says width x height is over the limit (no decode)
//   InvalidArgument "CORRUPT_IMAGE"   the type is known but the pixels cannot be decoded
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "services/album/domain/capture_time.h"
#include "services/album/domain/exif_date.h"  // ExifDates

namespace hatongsu::album {

enum class ImageFormat { kJpeg, kPng, kWebp, kHeic };

struct ProcessedImage {
    ImageFormat format;
    std::string mime_type;  // image/jpeg, image/png, image/webp, image/heic
    std::string extension;  // jpg, png, webp, heic (for the key <uuid>.<ext>)
    int width = 0;          // after orientation
    int height = 0;
    ExifDates exif;
    std::string thumbnail_webp;  // longest side ~250 px
    std::string preview_jpeg;    // longest side <= 1440 px (never upscaled)
};

class ImageProcessor {
public:
    virtual ~ImageProcessor() = default;
    virtual absl::StatusOr<ProcessedImage> Process(std::string_view bytes) = 0;
};

}  // namespace hatongsu::album
