#include "hatongsu/log/log.h"

#include <gtest/gtest.h>

namespace hatongsu::log {
namespace {

TEST(EscapeForText, ControlCharactersCannotStartANewLine) {
    std::string forged = "/x\r\n2026-01-01T00:00:00.000Z info admin logged in\x1b[31m";
    std::string escaped = EscapeForText(forged);
    EXPECT_EQ(escaped.find('\n'), std::string::npos);
    EXPECT_EQ(escaped.find('\r'), std::string::npos);
    EXPECT_EQ(escaped.find('\x1b'), std::string::npos);
    EXPECT_EQ(escaped, "/x\\r\\n2026-01-01T00:00:00.000Z info admin logged in\\x1b[31m");
}

TEST(EscapeForText, BackslashesAreEscapedSoEscapesAreUnambiguous) {
    EXPECT_EQ(EscapeForText("a\\nb"), "a\\\\nb");
    EXPECT_EQ(EscapeForText(std::string_view("\0\x7f\t", 3)), "\\x00\\x7f\\t");
    EXPECT_EQ(EscapeForText("plain text é"), "plain text é");
}

}  // namespace
}  // namespace hatongsu::log
