#include "hatongsu/core/text.h"

#include <gtest/gtest.h>

#include "hatongsu/core/random.h"

namespace hatongsu::core {
namespace {

TEST(Base64, RoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(Base64DecodeLenient(Base64Encode(bytes)), bytes);
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)).value(), bytes);
        bytes += static_cast<char>(i * 37);
    }
}

TEST(Base64, MatchesKnownVectors) {
    EXPECT_EQ(Base64Encode("admin@example.com:pa ss"), "YWRtaW5AZXhhbXBsZS5jb206cGEgc3M=");
    EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64, LenientDecodingSkipsWhitespaceAndMixesAlphabets) {
    EXPECT_EQ(Base64DecodeLenient(" YWJj\nZA "), "abcd");
    EXPECT_EQ(Base64DecodeLenient("-_8"), "\xfb\xff");
    EXPECT_EQ(Base64DecodeLenient("+/8="), "\xfb\xff");
}

TEST(Base64, StrictUrlDecodingRejectsForeignCharacters) {
    EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());
    EXPECT_FALSE(Base64UrlDecode("abc=").has_value());
    EXPECT_FALSE(Base64UrlDecode("a").has_value());
}

TEST(Text, UuidAndCase) {
    EXPECT_TRUE(IsUuid("6cebfa72-5c4c-40f2-8c9c-b9398d172b86"));
    EXPECT_FALSE(IsUuid("6cebfa72-5c4c-40f2-8c9c-b9398d172b8"));
    EXPECT_FALSE(IsUuid("6cebfa72x5c4c-40f2-8c9c-b9398d172b86"));
    EXPECT_TRUE(IsUuid(RandomUuidV4()));
    EXPECT_EQ(RandomUuidV4()[14], '4');
    EXPECT_EQ(AsciiLower("AbC@Ü"), "abc@Ü");
    EXPECT_TRUE(EqualsIgnoreCase("BeArEr", "bearer"));
}

TEST(Text, Utf8Validation) {
    EXPECT_TRUE(IsValidUtf8("plain"));
    EXPECT_TRUE(IsValidUtf8("사진 1.JPG"));
    EXPECT_FALSE(IsValidUtf8("\xff"));
    EXPECT_FALSE(IsValidUtf8("\xec\x82"));          // truncated sequence
    EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong three-byte form
    EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // overlong four-byte form
    EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a UTF-16 surrogate, refused by PostgreSQL
    EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF itself
    EXPECT_TRUE(IsValidUtf8("\xe2\x84\xaa"));       // the Kelvin sign is valid UTF-8
}

TEST(Text, ControlCharacters) {
    EXPECT_FALSE(HasControlCharacters("Nick Name ü"));
    EXPECT_TRUE(HasControlCharacters(std::string_view("a\0b", 3)));
    EXPECT_TRUE(HasControlCharacters("line\nbreak"));
    EXPECT_TRUE(HasControlCharacters("del\x7f"));
}

TEST(Text, PercentDecoding) {
    EXPECT_EQ(PercentDecode("/a%2Fb%20c+d", false), "/a/b c+d");
    EXPECT_EQ(PercentDecode("a+b%2B", true), "a b+");
    EXPECT_EQ(PercentDecode("bad%zz%4", false), "bad%zz%4");  // malformed escapes stay
    EXPECT_EQ(PercentDecode("%00", false), std::string(1, '\0'));
    EXPECT_EQ(HexDigitValue('f'), 15);
    EXPECT_EQ(HexDigitValue('G'), -1);
}

}  // namespace
}  // namespace hatongsu::core
