#include "hatongsu/core/display_name.h"

#include "hatongsu/core/text.h"

namespace hatongsu::core {

std::size_t Utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
}

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F). Expects valid UTF-8.
bool HasControlCharacter(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if (u < 0x20 || u == 0x7F) {
            return true;
        }
        if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
            return true;
        }
    }
    return false;
}

// Invisible and direction-changing characters (a right-to-left override makes "nimda" read as
// "admin"), line and paragraph separators, the byte-order mark. The text is valid UTF-8.
bool HasInvisibleOrBidiCharacter(std::string_view s) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        auto b0 = static_cast<unsigned char>(s[i]);
        if ((b0 & 0xF0) != 0xE0) {
            continue;
        }
        unsigned cp = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                      (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
        bool bad = (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
                   (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
        if (bad) {
            return true;
        }
    }
    return false;
}

bool IsDisplayName(std::string_view text, std::size_t max_chars) {
    bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    return !blank && IsValidUtf8(text) && Utf8Length(text) <= max_chars &&
           !HasControlCharacter(text) && !HasInvisibleOrBidiCharacter(text);
}

}  // namespace hatongsu::core
