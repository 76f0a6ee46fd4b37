// Every WebSocket frame captured from the original server and the real client
// (tests/vectors) decoded and encoded again byte for byte.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "hatongsu/core/text.h"
#include "services/event/adapter/colyseus/codec.h"

namespace hatongsu::event::colyseus {
namespace {

struct Frame {
    std::string file;
    std::string seq;
    bool from_client = false;
    std::string bytes;
};

std::string FromHex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(
            static_cast<char>(core::HexDigitValue(hex[i]) * 16 + core::HexDigitValue(hex[i + 1])));
    }
    return out;
}

std::vector<Frame> LoadFrames() {
    std::vector<Frame> out;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(HATONGSU_COLYSEUS_VECTORS)) {
        if (entry.path().extension() == ".txt") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        std::ifstream in(path);
        std::string line;
        std::optional<Frame> current;
        while (std::getline(in, line)) {
            if (line.starts_with("=== ")) {
                current.reset();
                if (line.find(" ws-binary") != std::string::npos) {
                    current = Frame{path.filename().string(), line.substr(4, 3), false, ""};
                    current->from_client = line.find(" C>S ") != std::string::npos;
                }
            } else if (current && line.starts_with("hex: (")) {
                current.reset();  // "(no frame)": a tick that sends nothing
            } else if (current && line.starts_with("hex: ")) {
                current->bytes = FromHex(line.substr(5));
                out.push_back(*current);
                current.reset();
            }
        }
    }
    return out;
}

std::string Hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        out.push_back(kDigits[(static_cast<unsigned char>(c) >> 4) & 15]);
        out.push_back(kDigits[static_cast<unsigned char>(c) & 15]);
    }
    return out;
}

// The server frame built again from what was decoded out of it.
absl::StatusOr<std::string> Reencode(std::string_view frame) {
    switch (static_cast<Code>(frame[0])) {
        case Code::kJoinRoom: {
            auto token = DecodeJoinRoomToken(frame);
            if (!token.ok()) {
                return token.status();
            }
            return EncodeJoinRoom(*token);
        }
        case Code::kError: {
            auto error = DecodeError(frame);
            if (!error.ok()) {
                return error.status();
            }
            return EncodeError(error->first, error->second);
        }
        case Code::kRoomData: {
            if (frame == EncodeMessageTypes()) {
                return std::string(frame);
            }
            auto chat = DecodeServerChat(frame);
            if (!chat.ok()) {
                return chat.status();
            }
            if (chat->type != "serverChatMessage") {
                return absl::InvalidArgumentError("type " + chat->type);
            }
            return EncodeChatRaw(
                chat->session_id, chat->player_id, chat->nickname, chat->message_msgpack,
                chat->timestamp_ms);
        }
        case Code::kRoomState:
        case Code::kRoomStatePatch: {
            auto state = DecodeState(frame);
            if (!state.ok()) {
                return state.status();
            }
            if (!state->full) {
                return EncodePatch(state->ops, state->with_root);
            }
            std::vector<Player> players;
            for (const MapOp& op : state->ops) {
                players.push_back(op.player);
            }
            return EncodeFullState(players);
        }
        default:
            return absl::InvalidArgumentError("unexpected code");
    }
}

TEST(ColyseusVectors, EveryServerFrameIsReencodedByteForByte) {
    if (!std::filesystem::exists(HATONGSU_COLYSEUS_VECTORS)) {
        FAIL() << "no vectors at " << HATONGSU_COLYSEUS_VECTORS;
    }
    int checked = 0;
    for (const Frame& f : LoadFrames()) {
        if (f.from_client) {
            continue;
        }
        SCOPED_TRACE(f.file + " #" + f.seq);
        auto again = Reencode(f.bytes);
        ASSERT_TRUE(again.ok()) << again.status();
        EXPECT_EQ(Hex(*again), Hex(f.bytes));
        ++checked;
    }
    EXPECT_GE(checked, 70);
}

TEST(ColyseusVectors, EveryClientFrameDecodes) {
    if (!std::filesystem::exists(HATONGSU_COLYSEUS_VECTORS)) {
        FAIL() << "no vectors at " << HATONGSU_COLYSEUS_VECTORS;
    }
    int checked = 0;
    for (const Frame& f : LoadFrames()) {
        if (!f.from_client) {
            continue;
        }
        SCOPED_TRACE(f.file + " #" + f.seq);
        ClientFrame frame = DecodeClientFrame(f.bytes);
        switch (static_cast<Code>(f.bytes[0])) {
            case Code::kJoinRoom:
                EXPECT_TRUE(std::holds_alternative<ClientAck>(frame));
                break;
            case Code::kLeaveRoom:
                EXPECT_TRUE(std::holds_alternative<ClientLeave>(frame));
                break;
            case Code::kRoomData:
                if (const auto* chat = std::get_if<ClientChat>(&frame); chat && chat->text) {
                    // A string chat is exactly what colyseus.js writes for that text.
                    std::string again = "\x0d";
                    PutSchemaString(again, "clientChatMessage");
                    PutMsgpackString(again, *chat->text);
                    EXPECT_EQ(Hex(again), Hex(f.bytes));
                } else {
                    EXPECT_TRUE(
                        std::holds_alternative<ClientChat>(frame) ||
                        std::holds_alternative<ClientUnknownType>(frame));
                }
                break;
            default:
                ADD_FAILURE() << "unexpected client code";
        }
        ++checked;
    }
    EXPECT_GE(checked, 30);
}

TEST(ColyseusCodec, UnusualClientPayloads) {
    // Vector 15: no payload, a number, an object: a chat that is not a string.
    for (std::string hex :
         {"0db1636c69656e74436861744d657373616765", "0db1636c69656e74436861744d6573736167652a",
          "0db1636c69656e74436861744d65737361676581a474657874a36f626a"}) {
        ClientFrame frame = DecodeClientFrame(FromHex(hex));
        ASSERT_TRUE(std::holds_alternative<ClientChat>(frame)) << hex;
        EXPECT_FALSE(std::get<ClientChat>(frame).text.has_value());
    }
    // Vectors 17, 18: unregistered types, a string and a number.
    auto named = DecodeClientFrame(FromHex("0daa6e6f5375636854797065a37a7a7a"));
    ASSERT_TRUE(std::holds_alternative<ClientUnknownType>(named));
    EXPECT_EQ(std::get<ClientUnknownType>(named).type, "noSuchType");
    auto numbered = DecodeClientFrame(FromHex("0d07a5736576656e"));
    ASSERT_TRUE(std::holds_alternative<ClientUnknownType>(numbered));
    EXPECT_EQ(std::get<ClientUnknownType>(numbered).type, "7");
}

TEST(ColyseusCodec, BadInputIsMalformedNeverACrash) {
    auto malformed = [](std::string bytes) {
        return std::holds_alternative<ClientMalformed>(DecodeClientFrame(bytes));
    };
    EXPECT_TRUE(malformed(""));                          // empty frame
    EXPECT_TRUE(malformed("\x42\x13\x37"));              // unknown protocol code
    EXPECT_TRUE(malformed(std::string("\x09", 1)));      // HANDSHAKE is never sent by clients
    EXPECT_TRUE(malformed(std::string("\x0a\x00", 2)));  // ack with trailing bytes
    EXPECT_TRUE(malformed(std::string("\x0d", 1)));      // ROOM_DATA without a type
    EXPECT_TRUE(malformed(std::string(
        "\x0d\xb1"
        "client",
        8)));  // truncated type
    // Truncated msgpack: a str8 announcing 59 bytes with 3 present; an array missing items.
    EXPECT_TRUE(malformed(FromHex("0db1636c69656e74436861744d657373616765d93b616263")));
    EXPECT_TRUE(malformed(FromHex("0db1636c69656e74436861744d65737361676593a161")));
    // Trailing garbage after the string.
    EXPECT_TRUE(malformed(FromHex("0db1636c69656e74436861744d657373616765a568656c6c6fff")));
    // Nesting deeper than anyone needs: refused, not recursed into.
    std::string deep = FromHex("0db1636c69656e74436861744d657373616765");
    deep.append(10000, '\x91');
    deep.push_back('\x01');
    EXPECT_TRUE(malformed(deep));
    // Every prefix of a valid chat frame is refused or read as something else, never a crash.
    std::string valid = FromHex("0db1636c69656e74436861744d657373616765a568656c6c6f");
    for (std::size_t n = 0; n < valid.size(); ++n) {
        DecodeClientFrame(valid.substr(0, n));
    }
}

TEST(ColyseusCodec, StateAndErrorDecodersRefuseNumbersOutOfRange) {
    // Found by fuzz/colyseus_frame_fuzz.cpp: a negative map index was cast to unsigned.
    EXPECT_FALSE(DecodeState(FromHex("0fff0140f5")).ok());
    EXPECT_FALSE(DecodeState(FromHex("0fff0140cb000000000000f07f")).ok());        // +infinity
    EXPECT_FALSE(DecodeState(FromHex("0fff0180cb000000000000e03fa16102")).ok());  // 0.5
    EXPECT_FALSE(DecodeError(FromHex("0bcb000000000000f07fa0")).ok());
    EXPECT_TRUE(DecodeState(FromHex("0fff014001")).ok());
}

TEST(ColyseusCodec, SchemaNumbersAtTheBoundaries) {
    auto encode = [](double v) {
        std::string out;
        PutSchemaNumber(out, v);
        return Hex(out);
    };
    EXPECT_EQ(encode(0), "00");
    EXPECT_EQ(encode(127), "7f");
    EXPECT_EQ(encode(128), "cc80");
    EXPECT_EQ(encode(300), "cd2c01");
    EXPECT_EQ(encode(65536), "ce00000100");
    EXPECT_EQ(encode(-1), "ff");
    EXPECT_EQ(encode(-33), "d0df");
    EXPECT_EQ(encode(2147483648.0), "cb000000000000e041");  // past int32: float64 LE
}

}  // namespace
}  // namespace hatongsu::event::colyseus
