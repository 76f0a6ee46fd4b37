// libFuzzer target: the SDP parser on arbitrary text must never crash, and whatever it accepts
// must be within the documented bounds and survive a round trip through BuildDescription.
// Sources: this file and libs/webrtc/src/sdp.cpp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hatongsu/webrtc/sdp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace webrtc = hatongsu::webrtc;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = webrtc::ParseDescription(text);
    if (!parsed.ok()) {
        return 0;
    }
    if (parsed->ice_ufrag.size() < 4 || parsed->ice_ufrag.size() > 256 ||
        parsed->ice_pwd.size() < 22 || parsed->ice_pwd.size() > 256 || parsed->sctp_port == 0) {
        std::abort();
    }
    const std::string rebuilt = webrtc::BuildDescription({
        .ice_ufrag = parsed->ice_ufrag,
        .ice_pwd = parsed->ice_pwd,
        .fingerprint = parsed->fingerprint,
        .setup = parsed->setup,
        .ice_lite = parsed->ice_lite,
        .mid = "0",
        .sctp_port = parsed->sctp_port,
        .max_message_size = parsed->max_message_size.value_or(65536),
        .session_id = 1,
        .candidate_ip = "",
        .candidate_port = 0,
    });
    auto again = webrtc::ParseDescription(rebuilt);
    if (!again.ok() || again->ice_ufrag != parsed->ice_ufrag || again->ice_pwd != parsed->ice_pwd ||
        again->fingerprint != parsed->fingerprint || again->setup != parsed->setup ||
        again->sctp_port != parsed->sctp_port) {
        std::abort();
    }
    return 0;
}
