#include "hatongsu/webrtc/dcep.h"

#include <absl/status/status.h>

namespace hatongsu::webrtc {
namespace {

constexpr uint8_t kTypeAck = 0x02;
constexpr uint8_t kTypeOpen = 0x03;
constexpr size_t kOpenHeaderSize = 12;

void Put16(std::string& out, uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}

uint16_t Read16(std::string_view d, size_t at) {
    return static_cast<uint16_t>(
        (static_cast<uint8_t>(d[at]) << 8) | static_cast<uint8_t>(d[at + 1]));
}

}  // namespace

std::string EncodeDcepOpen(const DcepOpen& open) {
    std::string out;
    out.push_back(static_cast<char>(kTypeOpen));
    out.push_back(static_cast<char>(open.channel_type));
    Put16(out, open.priority);
    Put16(out, static_cast<uint16_t>(open.reliability >> 16));
    Put16(out, static_cast<uint16_t>(open.reliability & 0xffff));
    Put16(out, static_cast<uint16_t>(open.label.size()));
    Put16(out, static_cast<uint16_t>(open.protocol.size()));
    out += open.label;
    out += open.protocol;
    return out;
}

std::string EncodeDcepAck() {
    return std::string(1, static_cast<char>(kTypeAck));
}

absl::StatusOr<DcepMessage> DecodeDcep(std::string_view payload) {
    if (payload.empty()) {
        return absl::InvalidArgumentError("dcep: empty message");
    }
    const uint8_t type = static_cast<uint8_t>(payload[0]);
    if (type == kTypeAck) {
        if (payload.size() != 1) {
            return absl::InvalidArgumentError("dcep: ACK with trailing bytes");
        }
        return DcepAck{};
    }
    if (type != kTypeOpen) {
        return absl::InvalidArgumentError("dcep: unknown message type");
    }
    if (payload.size() < kOpenHeaderSize) {
        return absl::InvalidArgumentError("dcep: truncated OPEN");
    }
    DcepOpen open;
    open.channel_type = static_cast<uint8_t>(payload[1]);
    const uint8_t base = open.channel_type & ~kDcepUnorderedFlag;
    if (base != kDcepReliable && base != kDcepPartialReliableRexmit &&
        base != kDcepPartialReliableTimed) {
        return absl::InvalidArgumentError("dcep: unknown channel type");
    }
    open.priority = Read16(payload, 2);
    open.reliability = (static_cast<uint32_t>(Read16(payload, 4)) << 16) | Read16(payload, 6);
    const size_t label_len = Read16(payload, 8);
    const size_t protocol_len = Read16(payload, 10);
    if (label_len > kDcepMaxLabelBytes || protocol_len > kDcepMaxLabelBytes) {
        return absl::InvalidArgumentError("dcep: label or protocol too long");
    }
    if (payload.size() != kOpenHeaderSize + label_len + protocol_len) {
        return absl::InvalidArgumentError("dcep: OPEN lengths disagree with the payload");
    }
    open.label = std::string(payload.substr(kOpenHeaderSize, label_len));
    open.protocol = std::string(payload.substr(kOpenHeaderSize + label_len, protocol_len));
    return open;
}

}  // namespace hatongsu::webrtc
