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
    EXPECT_FALSE(IsValidUtf8("\xec\x82"));  // truncated sequence
    EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));  // overlong
}

}  // namespace
}  // namespace hatongsu::core
