#include "services/album/domain/album_image.h"

#include <cstdio>
#include <cstdlib>

namespace hatongsu::album {
namespace {

constexpr std::array<std::string_view, kSpotCount + 1> kSpotNames = {
    "none",  "spot1", "spot2", "spot3", "spot4", "spot5",
    "spot6", "spot7", "spot8", "spot9", "spot10"};

}  // namespace

std::string_view SpotTypeName(SpotType spot) {
    return kSpotNames[static_cast<std::size_t>(spot)];
}

std::optional<SpotType> ParseSpotType(std::string_view name) {
    for (std::size_t i = 0; i < kSpotNames.size(); ++i) {
        if (kSpotNames[i] == name) {
            return static_cast<SpotType>(i);
        }
    }
    return std::nullopt;
}

std::string FormatOffset(int minutes) {
    char buf[16];
    int a = std::abs(minutes);
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
    return buf;
}

std::string OriginalKey(std::string_view id, std::string_view extension) {
    return std::string(id) + "." + std::string(extension);
}

std::string ThumbnailKey(std::string_view id) {
    return std::string(id) + ".thumb.webp";
}

std::string PreviewKey(std::string_view id) {
    return std::string(id) + ".preview.jpg";
}

}  // namespace hatongsu::album
