// libFuzzer target: DCEP decoding on arbitrary bytes must never crash, and an OPEN it accepts
// must encode back to exactly the same bytes.
// Sources: this file and libs/webrtc/src/dcep.cpp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "hatongsu/webrtc/dcep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace webrtc = hatongsu::webrtc;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto msg = webrtc::DecodeDcep(bytes);
    if (!msg.ok()) {
        return 0;
    }
    const std::string again = std::holds_alternative<webrtc::DcepOpen>(*msg)
                                  ? webrtc::EncodeDcepOpen(std::get<webrtc::DcepOpen>(*msg))
                                  : webrtc::EncodeDcepAck();
    if (again != bytes) {
        std::abort();
    }
    return 0;
}
