#include "hatongsu/webrtc/stun.h"

#include <string>

#include <absl/strings/escaping.h>
#include <gtest/gtest.h>

namespace hatongsu::webrtc {
namespace {

std::string Hex(std::string_view hex) {
    std::string clean;
    for (char c : hex) {
        if (c != ' ' && c != '\n') {
            clean.push_back(c);
        }
    }
    return absl::HexStringToBytes(clean);
}

// RFC 5769 §2.1: sample request, short-term credentials, password "VOkJxbRl1RmTxUk/WvJxBt".
const std::string kRequest =
    Hex("0001 0058 2112a442 b7e7a701 bc34d686 fa87dfae"
        "8022 0010 5354554e 20746573 7420636c 69656e74"
        "0024 0004 6e0001ff"
        "8029 0008 932ff9b1 51263b36"
        "0006 0009 6576746a 3a683676 59202020"
        "0008 0014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2"
        "8028 0004 e57a3bcf");
constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBt";

// RFC 5769 §2.2: sample IPv4 response, mapped address 192.0.2.1:32853.
const std::string kResponse =
    Hex("0101 003c 2112a442 b7e7a701 bc34d686 fa87dfae"
        "8022 000b 74657374 20766563 746f7220"
        "0020 0008 0001a147 e112a643"
        "0008 0014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7"
        "8028 0004 c07d4c96");

// RFC 5769 §2.3: sample IPv6 response, mapped address 2001:db8:1234:5678:11:2233:4455:6677 port
// 32853.
const std::string kResponseV6 =
    Hex("0101 0048 2112a442 b7e7a701 bc34d686 fa87dfae"
        "8022 000b 74657374 20766563 746f7220"
        "0020 0014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"
        "0008 0014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41"
        "8028 0004 c8fb0b4c");

StunTransactionId VectorId() {
    StunTransactionId id{};
    const std::string raw = Hex("b7e7a701 bc34d686 fa87dfae");
    std::copy(raw.begin(), raw.end(), id.begin());
    return id;
}

TEST(Stun, ParsesRfc5769Request) {
    auto msg = ParseStun(kRequest);
    ASSERT_TRUE(msg.ok()) << msg.status();
    EXPECT_EQ(msg->type, 0x0001);
    EXPECT_EQ(msg->transaction_id, VectorId());
    ASSERT_NE(msg->Find(stun_attr::kUsername), nullptr);
    EXPECT_EQ(msg->Find(stun_attr::kUsername)->value, "evtj:h6vY");
    EXPECT_EQ(msg->Find(stun_attr::kSoftware)->value, "STUN test client");
    EXPECT_TRUE(VerifyMessageIntegrity(kRequest, *msg, kPassword));
    EXPECT_TRUE(VerifyFingerprint(kRequest, *msg, /*require=*/true));
}

TEST(Stun, RejectsRfc5769RequestWithWrongPasswordOrFlippedBit) {
    auto msg = ParseStun(kRequest);
    ASSERT_TRUE(msg.ok());
    EXPECT_FALSE(VerifyMessageIntegrity(kRequest, *msg, "VOkJxbRl1RmTxUk/WvJxBT"));
    std::string tampered = kRequest;
    tampered[30] ^= 0x01;  // inside SOFTWARE
    auto tampered_msg = ParseStun(tampered);
    ASSERT_TRUE(tampered_msg.ok());
    EXPECT_FALSE(VerifyMessageIntegrity(tampered, *tampered_msg, kPassword));
    EXPECT_FALSE(VerifyFingerprint(tampered, *tampered_msg, true));
}

TEST(Stun, ParsesRfc5769Ipv4Response) {
    auto msg = ParseStun(kResponse);
    ASSERT_TRUE(msg.ok()) << msg.status();
    EXPECT_EQ(msg->type, 0x0101);
    EXPECT_TRUE(VerifyMessageIntegrity(kResponse, *msg, kPassword));
    EXPECT_TRUE(VerifyFingerprint(kResponse, *msg, true));
    auto addr = DecodeXorMappedAddress(msg->Find(stun_attr::kXorMappedAddress)->value, VectorId());
    ASSERT_TRUE(addr.ok());
    EXPECT_EQ(addr->address, Hex("c0000201"));
    EXPECT_EQ(addr->port, 32853);
}

TEST(Stun, ParsesRfc5769Ipv6Response) {
    auto msg = ParseStun(kResponseV6);
    ASSERT_TRUE(msg.ok()) << msg.status();
    EXPECT_TRUE(VerifyMessageIntegrity(kResponseV6, *msg, kPassword));
    EXPECT_TRUE(VerifyFingerprint(kResponseV6, *msg, true));
    auto addr = DecodeXorMappedAddress(msg->Find(stun_attr::kXorMappedAddress)->value, VectorId());
    ASSERT_TRUE(addr.ok());
    EXPECT_EQ(addr->address, Hex("20010db8 12345678 00112233 44556677"));
    EXPECT_EQ(addr->port, 32853);
}

TEST(Stun, BuilderReproducesRfc5769Request) {
    std::string built = StunBuilder(0x0001, VectorId())
                            .Add(stun_attr::kSoftware, "STUN test client")
                            .Add(stun_attr::kPriority, Hex("6e0001ff"))
                            .Add(stun_attr::kIceControlled, Hex("932ff9b1 51263b36"))
                            .AddPadded(stun_attr::kUsername, "evtj:h6vY", ' ')
                            .Finish(kPassword, /*fingerprint=*/true);
    EXPECT_EQ(absl::BytesToHexString(built), absl::BytesToHexString(kRequest));
}

TEST(Stun, BuilderReproducesRfc5769Ipv4Response) {
    StunAddress mapped{Hex("c0000201"), 32853};
    std::string built =
        StunBuilder(0x0101, VectorId())
            .AddPadded(stun_attr::kSoftware, "test vector", ' ')
            .Add(stun_attr::kXorMappedAddress, EncodeXorMappedAddress(mapped, VectorId()))
            .Finish(kPassword, true);
    EXPECT_EQ(absl::BytesToHexString(built), absl::BytesToHexString(kResponse));
}

TEST(Stun, RefusesMalformedMessages) {
    EXPECT_FALSE(ParseStun(kRequest.substr(0, 19)).ok());  // short
    std::string bad_cookie = kRequest;
    bad_cookie[4] = 0x22;
    EXPECT_FALSE(ParseStun(bad_cookie).ok());
    std::string bad_length = kRequest;
    bad_length[3] = 0x5c;  // claims 4 more bytes than present
    EXPECT_FALSE(ParseStun(bad_length).ok());
    std::string truncated_attr = kRequest.substr(0, 24);
    truncated_attr[3] = 4;
    truncated_attr[21] = 0x10;  // SOFTWARE claims 16 bytes, none follow
    EXPECT_FALSE(ParseStun(truncated_attr).ok());
    std::string top_bits = kRequest;
    top_bits[0] = 0x40;
    EXPECT_FALSE(ParseStun(top_bits).ok());
    EXPECT_FALSE(ParseStun(std::string(kStunMaxMessageSize + 4, '\0')).ok());
}

TEST(Stun, RefusesAttributesAfterIntegrity) {
    // Append a PRIORITY after FINGERPRINT: not allowed.
    std::string extra = kRequest + Hex("0024 0004 00000001");
    extra[3] = static_cast<char>(static_cast<uint8_t>(extra[3]) + 8);
    EXPECT_FALSE(ParseStun(extra).ok());
}

TEST(Stun, MissingIntegrityNeverVerifies) {
    std::string built =
        StunBuilder(0x0001, VectorId()).Add(stun_attr::kUsername, "a:b").Finish(std::nullopt, true);
    auto msg = ParseStun(built);
    ASSERT_TRUE(msg.ok());
    EXPECT_FALSE(VerifyMessageIntegrity(built, *msg, kPassword));
    EXPECT_TRUE(VerifyFingerprint(built, *msg, true));
}

TEST(Stun, XorMappedAddressRefusesBadFamily) {
    EXPECT_FALSE(DecodeXorMappedAddress(Hex("0003a147e112a643"), VectorId()).ok());
    EXPECT_FALSE(DecodeXorMappedAddress(Hex("0001a147e112"), VectorId()).ok());
}

}  // namespace
}  // namespace hatongsu::webrtc
