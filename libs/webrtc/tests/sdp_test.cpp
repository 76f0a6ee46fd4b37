#include "hatongsu/webrtc/sdp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::webrtc {
namespace {

using ::hatongsu::testkit::StatusIs;
using ::testing::HasSubstr;

Sha256Fingerprint TestFingerprint() {
    Sha256Fingerprint fp{};
    for (size_t i = 0; i < fp.size(); ++i) {
        fp[i] = static_cast<uint8_t>(i * 7 + 1);
    }
    return fp;
}

// Shaped like Chromium 156's answer to a server offer.
constexpr std::string_view kChromiumAnswer =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Ab3d\r\n"
    "a=ice-pwd:abcdefghijklmnopqrstuv+/\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "01:08:0F:16:1D:24:2B:32:39:40:47:4E:55:5C:63:6A:71:78:7F:86:8D:94:9B:A2:A9:B0:B7:BE:C5:CC:"
    "D3:DA\r\n"
    "a=setup:active\r\n"
    "a=mid:0\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:262144\r\n";

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
    std::string out(text);
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
        out.replace(at, from.size(), to);
    }
    return out;
}

TEST(Sdp, BuildsTheGeckosStyleOffer) {
    const std::string offer = BuildDescription({
        .ice_ufrag = "I/1Hlw9W",
        .ice_pwd = "8s3y44R2xqxDxhHA/aGZ0XaN",
        .fingerprint = TestFingerprint(),
        .setup = DtlsSetup::kActpass,
        .session_id = 42,
        .candidate_ip = "203.0.113.10",
        .candidate_port = 50000,
    });
    EXPECT_EQ(
        offer,
        "v=0\r\n"
        "o=- 42 2 IN IP4 127.0.0.1\r\n"
        "s=-\r\n"
        "t=0 0\r\n"
        "a=group:BUNDLE 0\r\n"
        "a=ice-lite\r\n"
        "a=msid-semantic:WMS *\r\n"
        "m=application 50000 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        "c=IN IP4 203.0.113.10\r\n"
        "a=mid:0\r\n"
        "a=ice-ufrag:I/1Hlw9W\r\n"
        "a=ice-pwd:8s3y44R2xqxDxhHA/aGZ0XaN\r\n"
        "a=ice-options:trickle\r\n"
        "a=fingerprint:sha-256 "
        "01:08:0F:16:1D:24:2B:32:39:40:47:4E:55:5C:63:6A:71:78:7F:86:8D:94:9B:A2:A9:B0:B7:BE:C5:"
        "CC:D3:DA\r\n"
        "a=setup:actpass\r\n"
        "a=sctp-port:5000\r\n"
        "a=max-message-size:262144\r\n"
        "a=candidate:1 1 udp 2130706431 203.0.113.10 50000 typ host\r\n"
        "a=end-of-candidates\r\n");
    EXPECT_THAT(offer, ::testing::Not(HasSubstr("sctp-init")));
}

TEST(Sdp, ParsesChromiumAnswer) {
    auto answer = ParseDescription(kChromiumAnswer);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->ice_ufrag, "Ab3d");
    EXPECT_EQ(answer->ice_pwd, "abcdefghijklmnopqrstuv+/");
    EXPECT_EQ(answer->fingerprint, TestFingerprint());
    EXPECT_EQ(answer->setup, DtlsSetup::kActive);
    EXPECT_EQ(answer->mid, "0");
    EXPECT_EQ(answer->sctp_port, 5000);
    EXPECT_EQ(answer->max_message_size, 262144u);
    EXPECT_FALSE(answer->candidate.has_value());
    EXPECT_FALSE(answer->ice_lite);
}

TEST(Sdp, ParsesOwnOfferIncludingCandidate) {
    const std::string offer = BuildDescription({
        .ice_ufrag = "abcd",
        .ice_pwd = "0123456789012345678901",
        .fingerprint = TestFingerprint(),
        .candidate_ip = "127.0.0.1",
        .candidate_port = 4321,
    });
    auto parsed = ParseDescription(offer);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(parsed->ice_lite);
    EXPECT_EQ(parsed->setup, DtlsSetup::kActpass);
    ASSERT_TRUE(parsed->candidate.has_value());
    EXPECT_EQ(parsed->candidate->ip, "127.0.0.1");
    EXPECT_EQ(parsed->candidate->port, 4321);
}

TEST(Sdp, AcceptsBareLfAndSkipsMdnsCandidates) {
    std::string lf = Replace(kChromiumAnswer, "\r\n", "\n");
    lf += "a=candidate:1 1 udp 2113937151 0b1c.local 5555 typ host\n";
    auto parsed = ParseDescription(lf);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_FALSE(parsed->candidate.has_value());
}

std::string Without(std::string_view attribute) {
    std::string out;
    std::string_view rest = kChromiumAnswer;
    while (!rest.empty()) {
        const size_t end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, end + 2);
        if (line.find(attribute) == std::string_view::npos) {
            out.append(line);
        }
        rest.remove_prefix(line.size());
    }
    return out;
}

TEST(Sdp, RefusesAnswersMissingRequiredAttributes) {
    EXPECT_THAT(
        ParseDescription(Without("a=fingerprint")).status().message(), HasSubstr("fingerprint"));
    EXPECT_THAT(
        ParseDescription(Without("a=fingerprint")), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        ParseDescription(Without("a=ice-ufrag")).status().message(), HasSubstr("ice-ufrag"));
    EXPECT_THAT(ParseDescription(Without("a=ice-pwd")).status().message(), HasSubstr("ice-pwd"));
    EXPECT_THAT(ParseDescription(Without("a=setup")).status().message(), HasSubstr("setup"));
    EXPECT_THAT(
        ParseDescription(Without("m=application")), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Sdp, RefusesValuesOutOfBounds) {
    auto replace = [](std::string_view from, std::string_view to) {
        return Replace(kChromiumAnswer, from, to);
    };
    EXPECT_FALSE(
        ParseDescription(replace("ice-pwd:abcdefghijklmnopqrstuv+/", "ice-pwd:short")).ok());
    EXPECT_FALSE(ParseDescription(replace("ice-ufrag:Ab3d", "ice-ufrag:Ab")).ok());
    EXPECT_FALSE(ParseDescription(replace("ice-ufrag:Ab3d", "ice-ufrag:Ab3d!")).ok());
    EXPECT_FALSE(ParseDescription(replace("setup:active", "setup:holdconn")).ok());
    EXPECT_FALSE(ParseDescription(replace("sctp-port:5000", "sctp-port:70000")).ok());
    EXPECT_FALSE(ParseDescription(replace("max-message-size:262144", "max-message-size:x")).ok());
    EXPECT_FALSE(ParseDescription(replace("sha-256 01:08", "sha-256 01-08")).ok());
    EXPECT_FALSE(ParseDescription(replace(":D3:DA", ":D3")).ok());
    EXPECT_FALSE(ParseDescription(std::string(kMaxSdpBytes + 1, 'a')).ok());
    std::string many(kChromiumAnswer);
    for (size_t i = 0; i < kMaxSdpLines; ++i) {
        many += "a=x\r\n";
    }
    EXPECT_FALSE(ParseDescription(many).ok());
    EXPECT_FALSE(
        ParseDescription(std::string(kChromiumAnswer) + "a=" + std::string(2000, 'x')).ok());
    std::string two_media =
        std::string(kChromiumAnswer) + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
    EXPECT_FALSE(ParseDescription(two_media).ok());
    EXPECT_FALSE(
        ParseDescription(
            replace("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "m=audio 9 RTP/AVP 0"))
            .ok());
}

}  // namespace
}  // namespace hatongsu::webrtc
