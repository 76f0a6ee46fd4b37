#include "services/album/domain/cursor_token.h"

#include <array>
#include <optional>

#include "hatongsu/core/text.h"
#include "services/album/domain/time_text.h"

namespace hatongsu::album {
namespace {

absl::Status Invalid() {
    return absl::InvalidArgumentError("INVALID_CURSOR");
}

std::optional<int> ReadNumber(std::string_view text, std::size_t& pos, std::size_t digits) {
    if (pos + digits > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += digits;
    return value;
}

bool ReadChar(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

bool IsAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// "Wed May 01 2024 16:00:00 GMT+0900 (Korean Standard Time)" -> the UTC wall clock.
std::optional<LocalDateTime> ParseJsDateString(std::string_view text) {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::size_t pos = 0;
    if (text.size() < 4 || !IsAsciiLetter(text[0]) || !IsAsciiLetter(text[1]) ||
        !IsAsciiLetter(text[2]) || text[3] != ' ') {
        return std::nullopt;  // the weekday is not checked against the date (nor is it by V8)
    }
    pos = 4;
    if (pos + 4 > text.size()) {
        return std::nullopt;
    }
    int month = 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (text.substr(pos, 3) == kMonths[i]) {
            month = static_cast<int>(i) + 1;
        }
    }
    pos += 3;
    if (month == 0 || !ReadChar(text, pos, ' ')) {
        return std::nullopt;
    }
    auto day = ReadNumber(text, pos, 2);
    if (!day || !ReadChar(text, pos, ' ')) {
        return std::nullopt;
    }
    auto year = ReadNumber(text, pos, 4);
    if (!year || !ReadChar(text, pos, ' ')) {
        return std::nullopt;
    }
    auto hour = ReadNumber(text, pos, 2);
    if (!hour || !ReadChar(text, pos, ':')) {
        return std::nullopt;
    }
    auto minute = ReadNumber(text, pos, 2);
    if (!minute || !ReadChar(text, pos, ':')) {
        return std::nullopt;
    }
    auto second = ReadNumber(text, pos, 2);
    if (!second || text.substr(pos, 4) != " GMT") {
        return std::nullopt;
    }
    pos += 4;
    int sign = 0;
    if (ReadChar(text, pos, '+')) {
        sign = 1;
    } else if (ReadChar(text, pos, '-')) {
        sign = -1;
    } else {
        return std::nullopt;
    }
    auto oh = ReadNumber(text, pos, 2);
    auto om = oh ? ReadNumber(text, pos, 2) : std::nullopt;
    if (!om || *oh > 23 || *om > 59) {
        return std::nullopt;
    }
    // What follows is the zone's name in parentheses, which carries nothing we need.
    if (pos != text.size() && !(text.substr(pos, 2) == " (" && text.back() == ')')) {
        return std::nullopt;
    }
    auto local = FromCivil(*year, month, *day, *hour, *minute, *second, 0);
    if (!local) {
        return std::nullopt;
    }
    return LocalDateTime{local->ms - sign * (*oh * 60LL + *om) * 60'000};
}

}  // namespace

std::string EncodeCursorToken(LocalDateTime date, std::string_view id) {
    return core::Base64Encode(ToTokenText(date) + "_" + std::string(id));
}

absl::StatusOr<CaptureKey> DecodeCursorToken(std::string_view token) {
    if (token.size() > kMaxCursorTokenLength) {
        return Invalid();
    }
    const std::string text = core::Base64DecodeLenient(token);
    const std::size_t cut = text.find('_');
    const std::string_view all(text);
    const std::string_view date_text = all.substr(0, cut);
    CaptureKey key;
    if (cut == std::string_view::npos) {
        key.id = std::string(kNilUuid);
    } else {
        std::string_view id_text = all.substr(cut + 1);
        if (!core::IsUuid(id_text)) {
            return Invalid();
        }
        key.id = core::AsciiLower(id_text);
    }
    auto date = ParseLocalDateTime(date_text);
    if (!date) {
        date = ParseJsDateString(date_text);
    }
    // Years 1-9999 only, so every key we accept re-encodes to a token we accept.
    static const int64_t kFirst = FromCivil(1, 1, 1, 0, 0, 0, 0)->ms;
    static const int64_t kLast = FromCivil(9999, 12, 31, 23, 59, 59, 999)->ms;
    if (!date || date->ms < kFirst || date->ms > kLast) {
        return Invalid();
    }
    key.date = *date;
    return key;
}

}  // namespace hatongsu::album
