// Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK, and the
// SCTP payload protocol ids of RFC 8831. Pure functions; safe from any thread.
//
//   std::string open = webrtc::EncodeDcepOpen({.channel_type = kDcepPartialReliableRexmitUnordered,
//                                               .label = "geckos.io"});
//   absl::StatusOr<webrtc::DcepMessage> m = webrtc::DecodeDcep(payload);  // PPID 50 payloads
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <absl/status/statusor.h>

namespace hatongsu::webrtc {

namespace ppid {
inline constexpr uint32_t kDcep = 50;
inline constexpr uint32_t kString = 51;
inline constexpr uint32_t kBinaryPartial = 52;  // deprecated; accepted, never sent
inline constexpr uint32_t kBinary = 53;
inline constexpr uint32_t kStringPartial = 54;  // deprecated; accepted, never sent
inline constexpr uint32_t kStringEmpty = 56;
inline constexpr uint32_t kBinaryEmpty = 57;
}  // namespace ppid

inline constexpr uint8_t kDcepReliable = 0x00;
inline constexpr uint8_t kDcepPartialReliableRexmit = 0x01;
inline constexpr uint8_t kDcepPartialReliableTimed = 0x02;
inline constexpr uint8_t kDcepUnorderedFlag = 0x80;
inline constexpr uint8_t kDcepPartialReliableRexmitUnordered = 0x81;

// Longest label or protocol we accept (the wire allows 65535).
inline constexpr size_t kDcepMaxLabelBytes = 1024;

struct DcepOpen {
    uint8_t channel_type = kDcepPartialReliableRexmitUnordered;
    uint16_t priority = 0;
    uint32_t reliability = 0;
    std::string label{};
    std::string protocol{};
    friend bool operator==(const DcepOpen&, const DcepOpen&) = default;
};

struct DcepAck {
    friend bool operator==(const DcepAck&, const DcepAck&) = default;
};

using DcepMessage = std::variant<DcepOpen, DcepAck>;

std::string EncodeDcepOpen(const DcepOpen& open);
std::string EncodeDcepAck();

// InvalidArgument on an unknown message type, a truncated OPEN, an unknown channel type, lengths
// that disagree with the payload, or a label/protocol over kDcepMaxLabelBytes.
absl::StatusOr<DcepMessage> DecodeDcep(std::string_view payload);

}  // namespace hatongsu::webrtc
