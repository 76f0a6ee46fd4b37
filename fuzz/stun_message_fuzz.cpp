// libFuzzer target: STUN parsing and verification on arbitrary bytes must never crash; a parsed
// message rebuilt attribute by attribute must parse again to the same attributes, and a message we
// sign must verify.
// Sources: this file and libs/webrtc/src/stun.cpp (OpenSSL's libcrypto for HMAC-SHA1).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hatongsu/webrtc/stun.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace webrtc = hatongsu::webrtc;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)webrtc::LooksLikeStun(bytes);
    auto msg = webrtc::ParseStun(bytes);
    if (!msg.ok()) {
        return 0;
    }
    (void)webrtc::VerifyMessageIntegrity(bytes, *msg, "0123456789012345678901");
    (void)webrtc::VerifyFingerprint(bytes, *msg, true);
    if (const auto* x = msg->Find(webrtc::stun_attr::kXorMappedAddress)) {
        auto addr = webrtc::DecodeXorMappedAddress(x->value, msg->transaction_id);
        if (addr.ok()) {
            auto again = webrtc::DecodeXorMappedAddress(
                webrtc::EncodeXorMappedAddress(*addr, msg->transaction_id), msg->transaction_id);
            if (!again.ok() || !(*again == *addr)) {
                std::abort();
            }
        }
    }
    webrtc::StunBuilder builder(msg->type, msg->transaction_id);
    for (const auto& a : msg->attributes) {
        if (a.type != webrtc::stun_attr::kMessageIntegrity &&
            a.type != webrtc::stun_attr::kFingerprint) {
            builder.Add(a.type, a.value);
        }
    }
    const std::string rebuilt = builder.Finish("key", true);
    auto back = webrtc::ParseStun(rebuilt);
    if (rebuilt.size() <= webrtc::kStunMaxMessageSize) {
        if (!back.ok() || !webrtc::VerifyMessageIntegrity(rebuilt, *back, "key") ||
            !webrtc::VerifyFingerprint(rebuilt, *back, true)) {
            std::abort();
        }
    }
    return 0;
}
