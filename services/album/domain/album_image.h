// The album's entity (one row of album_image, spec §3.2, plus the columns Hatongsu adds) and the
// gallery spot enumeration. Pure values, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/album/domain/capture_time.h"

namespace hatongsu::album {

// In the enum's declaration order, which is also PostgreSQL's sort order of the column.
enum class SpotType {
    kNone,
    kSpot1,
    kSpot2,
    kSpot3,
    kSpot4,
    kSpot5,
    kSpot6,
    kSpot7,
    kSpot8,
    kSpot9,
    kSpot10
};
inline constexpr int kSpotCount = 10;  // spot1 ... spot10

std::string_view SpotTypeName(SpotType spot);
// Exactly "none", "spot1" ... "spot10" (lower case, as on every interface); nullopt otherwise.
std::optional<SpotType> ParseSpotType(std::string_view name);

struct AlbumImage {
    std::string id;             // UUID v4, lower-case
    std::string filename;       // display name (UTF-8); never part of a key
    std::string object_key;     // the original's bytes: "<id>.<ext>" (original rows: "<id>-<name>")
    std::string thumbnail_key;  // "<id>.thumb.webp"; empty for rows of the original service
    std::string preview_key;    // "<id>.preview.jpg"; empty for rows of the original service
    std::string mime_type;      // sniffed type; empty for rows of the original service
    int64_t size = 0;           // bytes of the original
    int width = 0;              // after EXIF orientation; 0 when unknown
    int height = 0;
    std::string sha256;  // lower-case hex; empty for rows of the original service
    std::optional<LocalDateTime> date_time;
    std::optional<LocalDateTime> date_time_original;  // the capture-order key
    std::optional<LocalDateTime> date_time_digitized;
    std::optional<int> original_offset_minutes;  // of date_time_original: +540 for +09:00
    SpotType gallery_spot = SpotType::kNone;
    LocalDateTime created_at;  // UTC
    LocalDateTime updated_at;  // UTC
    int version = 1;
};

// "+09:00", "-03:30", "+00:00".
std::string FormatOffset(int minutes);

// The keys of an image's three objects, never built from a user's filename.
std::string OriginalKey(std::string_view id, std::string_view extension);
std::string ThumbnailKey(std::string_view id);
std::string PreviewKey(std::string_view id);

}  // namespace hatongsu::album
