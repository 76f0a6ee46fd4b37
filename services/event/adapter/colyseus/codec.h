// The colyseus 0.15 wire format of the gallery room (as colyseus.js 0.15 speaks it): encoders
// for every frame the server sends, byte-identical to the original's, and the decoder of client
// frames. The schema primitives are little-endian with msgpack-looking prefixes;
// ROOM_DATA payloads are standard msgpack, written the way msgpackr does (maps as map16, numbers
// that are not 32-bit integers as float64). Pure functions; every decoder bounds-checks and never
// throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

#include "services/event/domain/room.h"

namespace hatongsu::event::colyseus {

enum class Code : uint8_t {
    kJoinRoom = 0x0a,
    kError = 0x0b,
    kLeaveRoom = 0x0c,
    kRoomData = 0x0d,
    kRoomState = 0x0e,
    kRoomStatePatch = 0x0f,
};

// Schema primitives (spec 4.2).
void PutSchemaNumber(std::string& out, double value);
void PutSchemaString(std::string& out, std::string_view text);
// msgpack, msgpackr's choices (spec 4.4).
void PutMsgpackString(std::string& out, std::string_view text);

// S>C frames.
std::string EncodeJoinRoom(std::string_view reconnection_token);  // token: at most 255 bytes
std::string EncodeFullState(const std::vector<Player>& players);
// with_root: the room's first patch ever also says "players is refId 1" (spec 6.4).
std::string EncodePatch(const std::vector<MapOp>& ops, bool with_root = false);
std::string EncodeMessageTypes();
std::string EncodeError(int code, std::string_view message);
// `message_msgpack`: the message value already in msgpack (what the original echoed back).
std::string EncodeChatRaw(
    std::string_view session_id,
    std::string_view player_id,
    std::string_view nickname,
    std::string_view message_msgpack,
    double timestamp_ms);
std::string EncodeChat(const ChatMessage& chat);

// C>S frames.
ClientFrame DecodeClientFrame(std::string_view frame);

// For tests and tools: the server frames read back.
struct DecodedState {
    bool full = false;
    bool with_root = false;
    std::vector<MapOp> ops;  // full state: one kAdd per player
};
absl::StatusOr<DecodedState> DecodeState(std::string_view frame);
struct DecodedChat {
    std::string type;
    std::string session_id;
    std::string player_id;
    std::string nickname;
    std::string message_msgpack;
    double timestamp_ms = 0;
};
absl::StatusOr<DecodedChat> DecodeServerChat(std::string_view frame);
absl::StatusOr<std::string> DecodeJoinRoomToken(std::string_view frame);
absl::StatusOr<std::pair<int, std::string>> DecodeError(std::string_view frame);

}  // namespace hatongsu::event::colyseus
