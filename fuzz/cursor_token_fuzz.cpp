// libFuzzer target: DecodeCursorToken on arbitrary bytes must never crash, and a token it accepts
// must re-encode to one that decodes to the same key (the infinite format is canonical).
// Sources: this file, services/album/domain/{cursor_token,capture_time,time_text}.cpp and
// libs/core/src/text.cpp; include paths: the repository root and libs/core/include. Checked with
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I. -Ilibs/core/include <sources>
//     -labsl_statusor -labsl_status -labsl_strings -labsl_cord -labsl_str_format_internal
// Seeds: fuzz/corpus/cursor_token/ (scripts/fuzz.sh builds and runs it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/album/domain/cursor_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view token(reinterpret_cast<const char*>(data), size);
    auto key = hatongsu::album::DecodeCursorToken(token);
    if (!key.ok()) {
        return 0;
    }
    auto again =
        hatongsu::album::DecodeCursorToken(hatongsu::album::EncodeCursorToken(key->date, key->id));
    if (!again.ok() || !(*again == *key)) {
        std::abort();
    }
    return 0;
}
