// Small text helpers shared by services: base64 (standard and URL-safe, lenient decoding),
// ASCII case folding, UUID and UTF-8 checks, percent decoding. Pure functions, safe from any
// thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hatongsu::core {

std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
// Accepts the standard and URL-safe alphabets, skips characters outside them (whitespace,
// padding), like Node's Buffer.from(s, "base64"). Never fails: garbage decodes to fewer bytes.
std::string Base64DecodeLenient(std::string_view text);
// Strict base64url (JWT segments): nullopt on any character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

std::string AsciiLower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool IsUuid(std::string_view text);  // 8-4-4-4-12 hex digits, any case
// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);
// Bytes below 0x20 and DEL: never welcome in names, e-mails, paths or log lines.
bool HasControlCharacters(std::string_view text);

// 0-15 for a hex digit of either case, -1 otherwise.
int HexDigitValue(char c);
// %XX escapes decoded (a malformed escape is kept as it is); with plus_is_space, '+' is a space
// (application/x-www-form-urlencoded, query strings).
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace hatongsu::core
