// libFuzzer target: the event server's colyseus decoders on arbitrary bytes must never crash, and
// a chat text a client frame yields must survive a round trip through the encoder.
// Sources: this file and services/event/adapter/colyseus/codec.cpp; include paths: the repository
// root and libs/core/include (scripts/fuzz.sh builds and runs it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "services/event/adapter/colyseus/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace colyseus = hatongsu::event::colyseus;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)colyseus::DecodeState(bytes);
    (void)colyseus::DecodeServerChat(bytes);
    (void)colyseus::DecodeJoinRoomToken(bytes);
    (void)colyseus::DecodeError(bytes);
    hatongsu::event::ClientFrame frame = colyseus::DecodeClientFrame(bytes);
    if (const auto* chat = std::get_if<hatongsu::event::ClientChat>(&frame); chat && chat->text) {
        std::string again = "\x0d";
        colyseus::PutSchemaString(again, "clientChatMessage");
        colyseus::PutMsgpackString(again, *chat->text);
        auto back = colyseus::DecodeClientFrame(again);
        const auto* chat_back = std::get_if<hatongsu::event::ClientChat>(&back);
        if (chat_back == nullptr || chat_back->text != chat->text) {
            std::abort();
        }
    }
    return 0;
}
