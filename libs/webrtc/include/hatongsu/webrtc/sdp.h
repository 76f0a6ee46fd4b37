// SDP for a WebRTC data-channel-only session (RFC 8866, 8839, 8841): builds our description (the
// server's offer, geckos style, or a client's answer) and parses the other side's. Pure functions;
// safe from any thread. Parse errors are InvalidArgument with a message fit for the client.
//
//   std::string offer = webrtc::BuildDescription({.ice_ufrag = ..., .setup = DtlsSetup::kActpass,
//                                                 .candidate_ip = "203.0.113.10", ...});
//   absl::StatusOr<webrtc::RemoteDescription> answer = webrtc::ParseDescription(answer_sdp);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::webrtc {

// Bounds on what a peer can make us parse.
inline constexpr size_t kMaxSdpBytes = 16 * 1024;
inline constexpr size_t kMaxSdpLines = 256;
inline constexpr size_t kMaxSdpLineBytes = 1024;

enum class DtlsSetup { kActpass, kActive, kPassive };

using Sha256Fingerprint = std::array<uint8_t, 32>;

struct LocalDescription {
    std::string ice_ufrag{};
    std::string ice_pwd{};
    Sha256Fingerprint fingerprint{};
    DtlsSetup setup = DtlsSetup::kActpass;
    bool ice_lite = true;
    std::string mid = "0";
    uint16_t sctp_port = 5000;
    size_t max_message_size = 262144;
    uint64_t session_id = 1;
    // The one host candidate; empty `candidate_ip` (a client's answer) means none.
    std::string candidate_ip{};
    uint16_t candidate_port = 0;
};

struct RemoteCandidate {
    std::string ip{};  // an IPv4 or IPv6 literal, as written
    uint16_t port = 0;
};

struct RemoteDescription {
    std::string ice_ufrag{};
    std::string ice_pwd{};
    Sha256Fingerprint fingerprint{};
    DtlsSetup setup = DtlsSetup::kActive;
    std::string mid{};
    uint16_t sctp_port = 5000;
    // 0 means "no limit" (RFC 8841); absent means the RFC default of 64 KiB.
    std::optional<size_t> max_message_size{};
    bool ice_lite = false;
    // The first UDP host/srflx candidate with an IP literal (mDNS ".local" names are skipped).
    std::optional<RemoteCandidate> candidate{};
};

// CRLF-terminated session description. The candidate (if any) is followed by a=end-of-candidates.
std::string BuildDescription(const LocalDescription& description);

// The candidate attribute value, as RTCIceCandidate.candidate wants it ("candidate:1 1 udp ...").
std::string CandidateAttribute(std::string_view ip, uint16_t port);

// "AB:CD:..." (uppercase, colon-separated) as a=fingerprint writes it.
std::string FormatFingerprint(const Sha256Fingerprint& fingerprint);

// Parses a description with exactly one "m=application ... webrtc-datachannel" section. Refuses
// (InvalidArgument) one without a=ice-ufrag, a=ice-pwd, a sha-256 a=fingerprint or a=setup, or
// with a value out of bounds.
absl::StatusOr<RemoteDescription> ParseDescription(std::string_view sdp);

}  // namespace hatongsu::webrtc
