// STUN (RFC 5389) as ICE uses it (RFC 8445): parse and build Binding messages, with
// MESSAGE-INTEGRITY (HMAC-SHA1, short-term credentials) and FINGERPRINT (CRC-32 ^ 0x5354554e).
// Pure functions over bytes; no I/O, no state, safe from any thread. A parse error is an
// InvalidArgument whose message says what was wrong; callers drop such packets.
//
//   auto msg = webrtc::ParseStun(datagram);              // structure only
//   if (msg.ok() && webrtc::VerifyMessageIntegrity(datagram, *msg, local_pwd)) { ... }
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace hatongsu::webrtc {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;
// The largest STUN message we parse; ICE checks are ~100 bytes.
inline constexpr size_t kStunMaxMessageSize = 1280;

enum class StunType : uint16_t {
    kBindingRequest = 0x0001,
    kBindingSuccess = 0x0101,
    kBindingError = 0x0111,
    kBindingIndication = 0x0011,
};

namespace stun_attr {
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;
inline constexpr uint16_t kUseCandidate = 0x0025;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;
inline constexpr uint16_t kIceControlling = 0x802A;
}  // namespace stun_attr

using StunTransactionId = std::array<uint8_t, 12>;

struct StunAttribute {
    uint16_t type = 0;
    std::string value{};  // unpadded
    size_t offset = 0;    // where the attribute header starts in the parsed message
};

struct StunMessage {
    uint16_t type = 0;
    StunTransactionId transaction_id{};
    std::vector<StunAttribute> attributes{};

    const StunAttribute* Find(uint16_t attribute_type) const;
};

// An IPv4 or IPv6 transport address; `address` holds 4 or 16 bytes in network order.
struct StunAddress {
    std::string address{};
    uint16_t port = 0;
    friend bool operator==(const StunAddress&, const StunAddress&) = default;
};

// True when `data` looks like STUN by RFC 7983 (first byte 0..3); says nothing about validity.
bool LooksLikeStun(std::string_view data);

// Parses the header and the attribute list. Checks: length, magic cookie, the two top bits of the
// type, the length field against the datagram, attribute bounds, and that nothing but FINGERPRINT
// follows MESSAGE-INTEGRITY and nothing follows FINGERPRINT. Does not check integrity.
absl::StatusOr<StunMessage> ParseStun(std::string_view data);

// True when `message` (parsed from `data`) has a MESSAGE-INTEGRITY that matches `key`.
bool VerifyMessageIntegrity(
    std::string_view data, const StunMessage& message, std::string_view key);

// True when `message` has no FINGERPRINT, or one that matches. `require` makes it mandatory.
bool VerifyFingerprint(std::string_view data, const StunMessage& message, bool require);

// CRC-32 (ISO 3309 / zlib polynomial) as FINGERPRINT uses it, before the XOR.
uint32_t StunCrc32(std::string_view data);

// XOR-MAPPED-ADDRESS value <-> address. Decoding refuses unknown families and bad lengths.
std::string EncodeXorMappedAddress(const StunAddress& address, const StunTransactionId& id);
absl::StatusOr<StunAddress> DecodeXorMappedAddress(
    std::string_view value, const StunTransactionId& id);

// Builds a message attribute by attribute; Finish appends MESSAGE-INTEGRITY (when `key` is set)
// and FINGERPRINT (when `fingerprint`), each computed as RFC 5389 §15.4 and §15.5 say.
class StunBuilder final {
public:
    StunBuilder(uint16_t type, const StunTransactionId& id);
    StunBuilder& Add(uint16_t attribute_type, std::string_view value);
    // `padding` fills the bytes after an unaligned value (RFC 5769 uses spaces).
    StunBuilder& AddPadded(uint16_t attribute_type, std::string_view value, char padding);
    std::string Finish(std::optional<std::string_view> key, bool fingerprint);

private:
    std::string bytes_;
};

}  // namespace hatongsu::webrtc
