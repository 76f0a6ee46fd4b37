// libFuzzer target: the world server's geckos channel-message parser on arbitrary bytes (text and
// binary) must never crash, must refuse anything over its size or depth limits, and an event it
// accepts must map to a game message or a clean refusal; server messages built from what it
// read must parse back.
// Sources: this file and services/world/adapter/geckos/codec.cpp; Boost.JSON is compiled in from
// its header-only source (boost/json/src.hpp) so the target needs no Boost library
// (scripts/fuzz.sh builds and runs it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/src.hpp>

#include "services/world/adapter/geckos/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace geckos = hatongsu::world::geckos;
    namespace world = hatongsu::world;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const geckos::CodecLimits limits{.max_bytes = 4096, .max_depth = 8};
    (void)geckos::ParseChannelMessage(bytes, true, limits);
    auto event = geckos::ParseChannelMessage(bytes, false, limits);
    if (!event.ok()) {
        return 0;
    }
    if (size > limits.max_bytes) {
        std::abort();  // over the limit: must have been refused
    }
    auto message = geckos::ToClientMessage(*event);
    if (!message.ok()) {
        return 0;
    }
    // Whatever was read goes back out in the server's shapes and parses again.
    world::Transform t;
    int state = 0;
    if (const auto* update = std::get_if<world::PlayerUpdate>(&*message)) {
        t = update->transform;
    } else {
        state = std::get<world::AnimationUpdate>(*message).state;
    }
    const std::string out[] = {
        geckos::EncodeServerMessage(world::PlayerMoved{"P00000000000000000000001", t}),
        geckos::EncodeReliable(
            world::PlayerAnimation{"P00000000000000000000001", state}, "ID0000000000000000000001"),
    };
    for (const std::string& text : out) {
        if (!geckos::ParseChannelMessage(text, false, {.max_bytes = 1 << 16, .max_depth = 8})
                 .ok()) {
            std::abort();
        }
    }
    return 0;
}
