#include "hatongsu/webrtc/stun.h"

#include <algorithm>
#include <cstring>

#include <absl/status/status.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace hatongsu::webrtc {
namespace {

constexpr uint32_t kFingerprintXor = 0x5354554e;
constexpr size_t kIntegritySize = 20;

uint16_t Read16(std::string_view d, size_t at) {
    return static_cast<uint16_t>(
        (static_cast<uint8_t>(d[at]) << 8) | static_cast<uint8_t>(d[at + 1]));
}

uint32_t Read32(std::string_view d, size_t at) {
    return (static_cast<uint32_t>(Read16(d, at)) << 16) | Read16(d, at + 2);
}

void Put16(std::string& out, uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}

void Put32(std::string& out, uint32_t v) {
    Put16(out, static_cast<uint16_t>(v >> 16));
    Put16(out, static_cast<uint16_t>(v & 0xffff));
}

void Set16(std::string& out, size_t at, uint16_t v) {
    out[at] = static_cast<char>(v >> 8);
    out[at + 1] = static_cast<char>(v & 0xff);
}

size_t Padded(size_t n) {
    return (n + 3) & ~size_t{3};
}

std::array<uint8_t, kIntegritySize> HmacSha1(std::string_view key, std::string_view data) {
    std::array<uint8_t, kIntegritySize> mac{};
    unsigned int len = 0;
    HMAC(
        EVP_sha1(), key.data(), static_cast<int>(key.size()),
        reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
    return mac;
}

// The message prefix an attribute at `offset` is computed over, with the header's length field
// rewritten to end `attribute_size` bytes after `offset`.
std::string PrefixWithLength(std::string_view data, size_t offset, size_t attribute_size) {
    std::string prefix(data.substr(0, offset));
    Set16(prefix, 2, static_cast<uint16_t>(offset + attribute_size - kStunHeaderSize));
    return prefix;
}

}  // namespace

const StunAttribute* StunMessage::Find(uint16_t attribute_type) const {
    for (const StunAttribute& a : attributes) {
        if (a.type == attribute_type) {
            return &a;
        }
    }
    return nullptr;
}

bool LooksLikeStun(std::string_view data) {
    return !data.empty() && static_cast<uint8_t>(data[0]) <= 3;
}

uint32_t StunCrc32(std::string_view data) {
    uint32_t crc = 0xffffffffu;
    for (char c : data) {
        crc ^= static_cast<uint8_t>(c);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

absl::StatusOr<StunMessage> ParseStun(std::string_view data) {
    if (data.size() < kStunHeaderSize) {
        return absl::InvalidArgumentError("stun: shorter than a header");
    }
    if (data.size() > kStunMaxMessageSize) {
        return absl::InvalidArgumentError("stun: message too large");
    }
    StunMessage msg;
    msg.type = Read16(data, 0);
    if ((msg.type & 0xC000) != 0) {
        return absl::InvalidArgumentError("stun: top bits of the type are set");
    }
    const size_t length = Read16(data, 2);
    if (Read32(data, 4) != kStunMagicCookie) {
        return absl::InvalidArgumentError("stun: wrong magic cookie");
    }
    if (length % 4 != 0 || kStunHeaderSize + length != data.size()) {
        return absl::InvalidArgumentError("stun: length field does not match the datagram");
    }
    std::memcpy(msg.transaction_id.data(), data.data() + 8, msg.transaction_id.size());
    size_t at = kStunHeaderSize;
    bool seen_integrity = false;
    bool seen_fingerprint = false;
    while (at < data.size()) {
        if (data.size() - at < 4) {
            return absl::InvalidArgumentError("stun: truncated attribute header");
        }
        const uint16_t type = Read16(data, at);
        const size_t len = Read16(data, at + 2);
        if (data.size() - at - 4 < Padded(len)) {
            return absl::InvalidArgumentError("stun: attribute runs past the end");
        }
        if (seen_fingerprint) {
            return absl::InvalidArgumentError("stun: attribute after FINGERPRINT");
        }
        if (seen_integrity && type != stun_attr::kFingerprint) {
            return absl::InvalidArgumentError("stun: attribute after MESSAGE-INTEGRITY");
        }
        if (type == stun_attr::kMessageIntegrity) {
            if (len != kIntegritySize) {
                return absl::InvalidArgumentError("stun: MESSAGE-INTEGRITY has the wrong size");
            }
            seen_integrity = true;
        }
        if (type == stun_attr::kFingerprint) {
            if (len != 4) {
                return absl::InvalidArgumentError("stun: FINGERPRINT has the wrong size");
            }
            seen_fingerprint = true;
        }
        msg.attributes.push_back({type, std::string(data.substr(at + 4, len)), at});
        at += 4 + Padded(len);
    }
    return msg;
}

bool VerifyMessageIntegrity(
    std::string_view data, const StunMessage& message, std::string_view key) {
    const StunAttribute* mi = message.Find(stun_attr::kMessageIntegrity);
    if (mi == nullptr || mi->value.size() != kIntegritySize || mi->offset > data.size()) {
        return false;
    }
    const std::string prefix = PrefixWithLength(data, mi->offset, 4 + kIntegritySize);
    const auto mac = HmacSha1(key, prefix);
    return CRYPTO_memcmp(mac.data(), mi->value.data(), kIntegritySize) == 0;
}

bool VerifyFingerprint(std::string_view data, const StunMessage& message, bool require) {
    const StunAttribute* fp = message.Find(stun_attr::kFingerprint);
    if (fp == nullptr) {
        return !require;
    }
    if (fp->value.size() != 4 || fp->offset > data.size()) {
        return false;
    }
    const std::string prefix = PrefixWithLength(data, fp->offset, 8);
    return (StunCrc32(prefix) ^ kFingerprintXor) == Read32(fp->value, 0);
}

std::string EncodeXorMappedAddress(const StunAddress& address, const StunTransactionId& id) {
    std::string out;
    out.push_back(0);
    out.push_back(address.address.size() == 16 ? 0x02 : 0x01);
    Put16(out, static_cast<uint16_t>(address.port ^ (kStunMagicCookie >> 16)));
    std::array<uint8_t, 16> mask{};
    for (int i = 0; i < 4; ++i) {
        mask[i] = static_cast<uint8_t>(kStunMagicCookie >> (24 - 8 * i));
    }
    std::copy(id.begin(), id.end(), mask.begin() + 4);
    for (size_t i = 0; i < address.address.size() && i < mask.size(); ++i) {
        out.push_back(static_cast<char>(static_cast<uint8_t>(address.address[i]) ^ mask[i]));
    }
    return out;
}

absl::StatusOr<StunAddress> DecodeXorMappedAddress(
    std::string_view value, const StunTransactionId& id) {
    if (value.size() < 4) {
        return absl::InvalidArgumentError("stun: XOR-MAPPED-ADDRESS too short");
    }
    const uint8_t family = static_cast<uint8_t>(value[1]);
    const size_t expected = family == 0x01 ? 8 : family == 0x02 ? 20 : 0;
    if (expected == 0 || value.size() != expected) {
        return absl::InvalidArgumentError("stun: XOR-MAPPED-ADDRESS has a bad family or length");
    }
    StunAddress out;
    out.port = static_cast<uint16_t>(Read16(value, 2) ^ (kStunMagicCookie >> 16));
    std::array<uint8_t, 16> mask{};
    for (int i = 0; i < 4; ++i) {
        mask[i] = static_cast<uint8_t>(kStunMagicCookie >> (24 - 8 * i));
    }
    std::copy(id.begin(), id.end(), mask.begin() + 4);
    for (size_t i = 4; i < value.size(); ++i) {
        out.address.push_back(static_cast<char>(static_cast<uint8_t>(value[i]) ^ mask[i - 4]));
    }
    return out;
}

StunBuilder::StunBuilder(uint16_t type, const StunTransactionId& id) {
    Put16(bytes_, type);
    Put16(bytes_, 0);
    Put32(bytes_, kStunMagicCookie);
    bytes_.append(reinterpret_cast<const char*>(id.data()), id.size());
}

StunBuilder& StunBuilder::Add(uint16_t attribute_type, std::string_view value) {
    return AddPadded(attribute_type, value, '\0');
}

StunBuilder& StunBuilder::AddPadded(uint16_t attribute_type, std::string_view value, char padding) {
    Put16(bytes_, attribute_type);
    Put16(bytes_, static_cast<uint16_t>(value.size()));
    bytes_.append(value);
    bytes_.append(Padded(value.size()) - value.size(), padding);
    Set16(bytes_, 2, static_cast<uint16_t>(bytes_.size() - kStunHeaderSize));
    return *this;
}

std::string StunBuilder::Finish(std::optional<std::string_view> key, bool fingerprint) {
    if (key.has_value()) {
        const size_t offset = bytes_.size();
        const auto mac = HmacSha1(*key, PrefixWithLength(bytes_, offset, 4 + kIntegritySize));
        Add(stun_attr::kMessageIntegrity,
            std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    }
    if (fingerprint) {
        const size_t offset = bytes_.size();
        const uint32_t crc = StunCrc32(PrefixWithLength(bytes_, offset, 8)) ^ kFingerprintXor;
        std::string value;
        Put32(value, crc);
        Add(stun_attr::kFingerprint, value);
    }
    return std::move(bytes_);
}

}  // namespace hatongsu::webrtc
