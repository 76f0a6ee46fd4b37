// File: the keyset tokens of /album/cursor and /album/infinite (spec §2.4.2, §2.4.3; weak point
// 25). Both routes emit the infinite format: standard base64 of
//   "YYYY-MM-DD HH:mm:ss.SSS_<uuid>"      (the naive dateTimeOriginal, milliseconds, then the id)
// and accept, decoded leniently like Node's Buffer.from(s, "base64") (whitespace and other
// characters outside the alphabets skipped, URL-safe alphabet, missing padding), that format and
// the original /album/cursor format, JavaScript's Date.prototype.toString():
//   "Wed May 01 2024 16:00:00 GMT+0000 (Coordinated Universal Time)_<uuid>"
// whose GMT offset is honoured (the key is the UTC wall clock, as the original service ran with
// TZ=UTC). A token without "_<uuid>" pages by date only (as the original did).
//
//   std::string t = EncodeCursorToken(image.date_time_original, image.id);
//   absl::StatusOr<CaptureKey> key = DecodeCursorToken(t);   // InvalidArgument "INVALID_CURSOR"
//
// Depends on std, Abseil and libs/core's base64 only (the fuzz target builds it alone). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "services/album/domain/capture_time.h"

namespace hatongsu::album {

// A position in capture order (dateTimeOriginal DESC, id DESC).
struct CaptureKey {
    LocalDateTime date;
    std::string id;  // lower-case UUID; the nil UUID when the token carried no id
    bool operator==(const CaptureKey&) const = default;
};

inline constexpr std::size_t kMaxCursorTokenLength = 1024;
inline constexpr std::string_view kNilUuid = "00000000-0000-0000-0000-000000000000";

std::string EncodeCursorToken(LocalDateTime date, std::string_view id);
// InvalidArgument "INVALID_CURSOR" for anything unusable: longer than kMaxCursorTokenLength, no
// parsable date, an id part that is not a UUID.
absl::StatusOr<CaptureKey> DecodeCursorToken(std::string_view token);

}  // namespace hatongsu::album
