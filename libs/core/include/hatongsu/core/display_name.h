// Names people choose to be shown by (nicknames in the user service and the event room): not
// blank, valid UTF-8, at most a number of characters, and nothing that hides or disguises text
// (controls, zero-width and direction-changing characters). Pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace hatongsu::core {

// Characters (code points) of text that is valid UTF-8.
std::size_t Utf8Length(std::string_view text);
// C0 controls, DEL, and C1 controls (U+0080..U+009F). Expects valid UTF-8.
bool HasControlCharacter(std::string_view text);
// Zero-width and direction-changing characters (a right-to-left override makes "nimda" read as
// "admin"), line and paragraph separators, the byte-order mark. Expects valid UTF-8.
bool HasInvisibleOrBidiCharacter(std::string_view text);
// Not blank, valid UTF-8, at most max_chars characters, none of the above.
bool IsDisplayName(std::string_view text, std::size_t max_chars);

}  // namespace hatongsu::core
