#include "hatongsu/webrtc/dcep.h"

#include <absl/strings/escaping.h>
#include <gtest/gtest.h>

namespace hatongsu::webrtc {
namespace {

TEST(Dcep, EncodesTheGeckosOpenExactly) {
    // spec §3.1: 03 81 0000 00000000 0009 0000 "geckos.io"
    const std::string open = EncodeDcepOpen({.channel_type = 0x81, .label = "geckos.io"});
    EXPECT_EQ(
        absl::BytesToHexString(open),
        "038100000000000000090000"
        "6765636b6f732e696f");
}

TEST(Dcep, RoundTripsOpenWithProtocolAndReliability) {
    DcepOpen open{
        .channel_type = kDcepPartialReliableRexmit,
        .priority = 256,
        .reliability = 0x01020304,
        .label = "chat",
        .protocol = "json"};
    auto decoded = DecodeDcep(EncodeDcepOpen(open));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ASSERT_TRUE(std::holds_alternative<DcepOpen>(*decoded));
    EXPECT_EQ(std::get<DcepOpen>(*decoded), open);
}

TEST(Dcep, DecodesAck) {
    auto decoded = DecodeDcep(EncodeDcepAck());
    ASSERT_TRUE(decoded.ok());
    EXPECT_TRUE(std::holds_alternative<DcepAck>(*decoded));
    EXPECT_EQ(EncodeDcepAck(), std::string(1, '\x02'));
}

TEST(Dcep, RefusesUnknownTypesAndBadLengths) {
    EXPECT_FALSE(DecodeDcep("").ok());
    EXPECT_FALSE(DecodeDcep(std::string(1, '\x01')).ok());  // unknown type
    EXPECT_FALSE(DecodeDcep(std::string(1, '\x04')).ok());
    EXPECT_FALSE(DecodeDcep(std::string("\x02\x00", 2)).ok());  // ACK with trailing byte
    std::string open = EncodeDcepOpen({.label = "geckos.io"});
    EXPECT_FALSE(DecodeDcep(open.substr(0, 11)).ok());               // truncated header
    EXPECT_FALSE(DecodeDcep(open.substr(0, open.size() - 1)).ok());  // label cut short
    EXPECT_FALSE(DecodeDcep(open + "x").ok());                       // trailing byte
    std::string bad_type = open;
    bad_type[1] = 0x03;
    EXPECT_FALSE(DecodeDcep(bad_type).ok());
    std::string long_label = EncodeDcepOpen({.label = std::string(kDcepMaxLabelBytes + 1, 'a')});
    EXPECT_FALSE(DecodeDcep(long_label).ok());
}

}  // namespace
}  // namespace hatongsu::webrtc
