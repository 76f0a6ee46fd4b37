#include "services/event/adapter/colyseus/codec.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace hatongsu::event::colyseus {
namespace {

constexpr std::string_view kChatIn = "clientChatMessage";
constexpr std::string_view kChatOut = "serverChatMessage";
constexpr std::string_view kMessageTypes = "__playground_message_types";
constexpr int kMaxMsgpackDepth = 32;

// The reflection of PlayerSchema {playerId, nickname} and GalleryRoomState {players: map} (spec
// 5.2): constant for this server.
constexpr unsigned char kHandshake[] = {
    0x80, 0x01, 0x81, 0x01, 0xff, 0x01, 0x80, 0x00, 0x02, 0x80, 0x01, 0x03, 0xff, 0x02, 0x81, 0x04,
    0x80, 0x00, 0xff, 0x03, 0x81, 0x05, 0x80, 0x01, 0xff, 0x04, 0x80, 0x00, 0x06, 0x80, 0x01, 0x07,
    0xff, 0x05, 0x80, 0x00, 0x08, 0xff, 0x06, 0x80, 0xa8, 'p',  'l',  'a',  'y',  'e',  'r',  'I',
    'd',  0x81, 0xa6, 's',  't',  'r',  'i',  'n',  'g',  0xff, 0x07, 0x80, 0xa8, 'n',  'i',  'c',
    'k',  'n',  'a',  'm',  'e',  0x81, 0xa6, 's',  't',  'r',  'i',  'n',  'g',  0xff, 0x08, 0x80,
    0xa7, 'p',  'l',  'a',  'y',  'e',  'r',  's',  0x82, 0x00, 0x81, 0xa3, 'm',  'a',  'p'};
static_assert(sizeof(kHandshake) == 95);

void PutByte(std::string& out, unsigned v) {
    out.push_back(static_cast<char>(v & 0xFF));
}
void PutLe(std::string& out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        PutByte(out, static_cast<unsigned>(v >> (8 * i)));
    }
}
void PutBe(std::string& out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        PutByte(out, static_cast<unsigned>(v >> (8 * i)));
    }
}

void PutMsgpackNumber(std::string& out, double v) {
    bool integral = std::isfinite(v) && std::floor(v) == v;
    if (integral && v >= 0 && v <= 4294967295.0) {
        auto u = static_cast<uint64_t>(v);
        if (u < 0x80) {
            PutByte(out, static_cast<unsigned>(u));
        } else if (u < 0x100) {
            PutByte(out, 0xcc);
            PutBe(out, u, 1);
        } else if (u < 0x10000) {
            PutByte(out, 0xcd);
            PutBe(out, u, 2);
        } else {
            PutByte(out, 0xce);
            PutBe(out, u, 4);
        }
        return;
    }
    if (integral && v < 0 && v >= -2147483648.0) {
        auto i = static_cast<int64_t>(v);
        if (i >= -32) {
            PutByte(out, static_cast<unsigned>(i));
        } else if (i >= -128) {
            PutByte(out, 0xd0);
            PutBe(out, static_cast<uint64_t>(i), 1);
        } else if (i >= -32768) {
            PutByte(out, 0xd1);
            PutBe(out, static_cast<uint64_t>(i), 2);
        } else {
            PutByte(out, 0xd2);
            PutBe(out, static_cast<uint64_t>(i), 4);
        }
        return;
    }
    PutByte(out, 0xcb);
    PutBe(out, std::bit_cast<uint64_t>(v), 8);
}

// Bounds-checked reading; every getter returns nullopt past the end.
class Reader final {
public:
    explicit Reader(std::string_view data) : data_(data) {}

    bool Done() const { return pos_ == data_.size(); }
    std::size_t Pos() const { return pos_; }
    std::string_view Rest() const { return data_.substr(pos_); }
    std::optional<uint8_t> Peek() const {
        if (pos_ >= data_.size()) {
            return std::nullopt;
        }
        return static_cast<uint8_t>(data_[pos_]);
    }
    std::optional<uint8_t> Byte() {
        auto b = Peek();
        if (b) {
            ++pos_;
        }
        return b;
    }
    std::optional<uint64_t> Le(int bytes) { return Int(bytes, false); }
    std::optional<uint64_t> Be(int bytes) { return Int(bytes, true); }
    std::optional<std::string_view> Take(uint64_t n) {
        if (n > data_.size() - pos_) {
            return std::nullopt;
        }
        std::string_view out = data_.substr(pos_, n);
        pos_ += n;
        return out;
    }

private:
    std::optional<uint64_t> Int(int bytes, bool big_endian) {
        if (static_cast<std::size_t>(bytes) > data_.size() - pos_) {
            return std::nullopt;
        }
        uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) {
            uint64_t b = static_cast<uint8_t>(data_[pos_ + i]);
            v |= big_endian ? b << (8 * (bytes - 1 - i)) : b << (8 * i);
        }
        pos_ += bytes;
        return v;
    }

    std::string_view data_;
    std::size_t pos_ = 0;
};

template <typename T>
T SignExtend(uint64_t v) {
    T out;
    auto narrow = static_cast<std::make_unsigned_t<T>>(v);
    std::memcpy(&out, &narrow, sizeof(T));
    return out;
}

std::optional<double> ReadSchemaNumber(Reader& r) {
    auto b = r.Byte();
    if (!b) {
        return std::nullopt;
    }
    if (*b < 0x80) {
        return *b;
    }
    if (*b >= 0xe0) {
        return static_cast<int>(*b) - 0x100;
    }
    std::optional<uint64_t> v;
    switch (*b) {
        case 0xcc:
            v = r.Le(1);
            return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
        case 0xcd:
            v = r.Le(2);
            return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
        case 0xce:
            v = r.Le(4);
            return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
        case 0xcf:
            v = r.Le(8);
            return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
        case 0xd0:
            v = r.Le(1);
            return v ? std::optional<double>(SignExtend<int8_t>(*v)) : std::nullopt;
        case 0xd1:
            v = r.Le(2);
            return v ? std::optional<double>(SignExtend<int16_t>(*v)) : std::nullopt;
        case 0xd2:
            v = r.Le(4);
            return v ? std::optional<double>(SignExtend<int32_t>(*v)) : std::nullopt;
        case 0xd3:
            v = r.Le(8);
            return v ? std::optional<double>(static_cast<double>(SignExtend<int64_t>(*v)))
                     : std::nullopt;
        case 0xca:
            v = r.Le(4);
            return v ? std::optional<double>(std::bit_cast<float>(static_cast<uint32_t>(*v)))
                     : std::nullopt;
        case 0xcb:
            v = r.Le(8);
            return v ? std::optional<double>(std::bit_cast<double>(*v)) : std::nullopt;
        default:
            return std::nullopt;
    }
}

bool IsSchemaStringPrefix(uint8_t b) {
    return (b >= 0xa1 && b <= 0xbf) || b == 0xd9 || b == 0xda || b == 0xdb;
}

// A string with a msgpack-shaped prefix: fixstr, or str8/16/32 whose length is little-endian in the
// schema primitives and big-endian in msgpack proper.
std::optional<std::string_view> ReadString(Reader& r, bool little_endian) {
    auto b = r.Byte();
    if (!b) {
        return std::nullopt;
    }
    auto length = [&](int bytes) {
        return little_endian ? r.Le(bytes) : r.Be(bytes);
    };
    std::optional<uint64_t> n;
    if (*b >= 0xa0 && *b <= 0xbf) {
        n = *b - 0xa0;
    } else if (*b == 0xd9) {
        n = length(1);
    } else if (*b == 0xda) {
        n = length(2);
    } else if (*b == 0xdb) {
        n = length(4);
    }
    if (!n) {
        return std::nullopt;
    }
    return r.Take(*n);
}

std::optional<std::string_view> ReadSchemaString(Reader& r) {
    return ReadString(r, true);
}

std::optional<std::string_view> ReadMsgpackString(Reader& r) {
    return ReadString(r, false);
}

// Skips one msgpack value; false when it is malformed or truncated (or nested too deep).
bool SkipMsgpack(Reader& r, int depth) {
    if (depth > kMaxMsgpackDepth) {
        return false;
    }
    auto b = r.Byte();
    if (!b) {
        return false;
    }
    auto skip = [&r](std::optional<uint64_t> n) {
        return n && r.Take(*n).has_value();
    };
    auto items = [&r, depth](uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) {
            if (!SkipMsgpack(r, depth + 1)) {
                return false;
            }
        }
        return true;
    };
    uint8_t c = *b;
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
        return true;
    }
    if (c >= 0xa0 && c <= 0xbf) {
        return skip(c - 0xa0);
    }
    if (c >= 0x90 && c <= 0x9f) {
        return items(c - 0x90);
    }
    if (c >= 0x80 && c <= 0x8f) {
        return items(2ull * (c - 0x80));
    }
    switch (c) {
        case 0xcc:
        case 0xd0:
            return skip(1);
        case 0xcd:
        case 0xd1:
            return skip(2);
        case 0xca:
        case 0xce:
        case 0xd2:
            return skip(4);
        case 0xcb:
        case 0xcf:
        case 0xd3:
            return skip(8);
        case 0xd9:
        case 0xc4:
            return skip(r.Be(1));
        case 0xda:
        case 0xc5:
            return skip(r.Be(2));
        case 0xdb:
        case 0xc6:
            return skip(r.Be(4));
        case 0xd4:
            return skip(2);
        case 0xd5:
            return skip(3);
        case 0xd6:
            return skip(5);
        case 0xd7:
            return skip(9);
        case 0xd8:
            return skip(17);
        case 0xc7: {
            auto n = r.Be(1);
            return n && skip(*n + 1);
        }
        case 0xc8: {
            auto n = r.Be(2);
            return n && skip(*n + 1);
        }
        case 0xc9: {
            auto n = r.Be(4);
            return n && skip(*n + 1);
        }
        case 0xdc: {
            auto n = r.Be(2);
            return n && items(*n);
        }
        case 0xdd: {
            auto n = r.Be(4);
            return n && items(*n);
        }
        case 0xde: {
            auto n = r.Be(2);
            return n && items(2 * *n);
        }
        case 0xdf: {
            auto n = r.Be(4);
            return n && items(2 * *n);
        }
        default:
            return false;  // 0xc1 is never used
    }
}

std::string NumberText(double v) {
    if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9007199254740992.0) {
        return std::to_string(static_cast<int64_t>(v));
    }
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.17g", v);
    return buffer;
}

// A map index or refId: a whole number in 0..2^32-1 (anything else is a malformed frame).
std::optional<uint32_t> ReadSchemaId(Reader& r) {
    auto v = ReadSchemaNumber(r);
    if (!v || !(*v >= 0 && *v <= 4294967295.0) || std::floor(*v) != *v) {
        return std::nullopt;
    }
    return static_cast<uint32_t>(*v);
}

void PutPlayerFields(std::string& out, const Player& p) {
    PutByte(out, 0xff);
    PutSchemaNumber(out, p.ref_id);
    PutByte(out, 0x80);
    PutSchemaString(out, p.player_id);
    PutByte(out, 0x81);
    PutSchemaString(out, p.nickname);
}

absl::Status Malformed(std::string_view what) {
    return absl::InvalidArgumentError(std::string(what));
}

}  // namespace

void PutSchemaNumber(std::string& out, double v) {
    if (std::isnan(v)) {
        v = 0;
    } else if (std::isinf(v)) {
        v = v > 0 ? 9007199254740991.0 : -9007199254740991.0;
    }
    bool int32 = std::floor(v) == v && v >= -2147483648.0 && v <= 2147483647.0;
    if (!int32) {
        PutByte(out, 0xcb);
        PutLe(out, std::bit_cast<uint64_t>(v), 8);
        return;
    }
    auto i = static_cast<int64_t>(v);
    if (i >= 0) {
        if (i < 0x80) {
            PutByte(out, static_cast<unsigned>(i));
        } else if (i < 0x100) {
            PutByte(out, 0xcc);
            PutLe(out, static_cast<uint64_t>(i), 1);
        } else if (i < 0x10000) {
            PutByte(out, 0xcd);
            PutLe(out, static_cast<uint64_t>(i), 2);
        } else {
            PutByte(out, 0xce);
            PutLe(out, static_cast<uint64_t>(i), 4);
        }
    } else if (i >= -32) {
        PutByte(out, static_cast<unsigned>(i));
    } else if (i >= -128) {
        PutByte(out, 0xd0);
        PutLe(out, static_cast<uint64_t>(i), 1);
    } else if (i >= -32768) {
        PutByte(out, 0xd1);
        PutLe(out, static_cast<uint64_t>(i), 2);
    } else {
        PutByte(out, 0xd2);
        PutLe(out, static_cast<uint64_t>(i), 4);
    }
}

void PutSchemaString(std::string& out, std::string_view text) {
    std::size_t n = text.size();
    if (n < 32) {
        PutByte(out, 0xa0 + static_cast<unsigned>(n));
    } else if (n < 0x100) {
        PutByte(out, 0xd9);
        PutLe(out, n, 1);
    } else if (n < 0x10000) {
        PutByte(out, 0xda);
        PutLe(out, n, 2);
    } else {
        PutByte(out, 0xdb);
        PutLe(out, n, 4);
    }
    out.append(text);
}

void PutMsgpackString(std::string& out, std::string_view text) {
    std::size_t n = text.size();
    if (n < 32) {
        PutByte(out, 0xa0 + static_cast<unsigned>(n));
    } else if (n < 0x100) {
        PutByte(out, 0xd9);
        PutBe(out, n, 1);
    } else if (n < 0x10000) {
        PutByte(out, 0xda);
        PutBe(out, n, 2);
    } else {
        PutByte(out, 0xdb);
        PutBe(out, n, 4);
    }
    out.append(text);
}

std::string EncodeJoinRoom(std::string_view reconnection_token) {
    std::string out;
    out.reserve(20 + reconnection_token.size() + sizeof(kHandshake));
    PutByte(out, static_cast<unsigned>(Code::kJoinRoom));
    std::string_view token = reconnection_token.substr(0, 255);
    PutByte(out, static_cast<unsigned>(token.size()));
    out.append(token);
    PutByte(out, 6);
    out.append("schema");
    out.append(reinterpret_cast<const char*>(kHandshake), sizeof(kHandshake));
    return out;
}

std::string EncodeFullState(const std::vector<Player>& players) {
    std::string out;
    PutByte(out, static_cast<unsigned>(Code::kRoomState));
    out.append("\x80\x01\xff\x01", 4);
    for (const Player& p : players) {
        PutByte(out, 0x80);
        PutSchemaNumber(out, p.index);
        PutSchemaString(out, p.session_id);
        PutSchemaNumber(out, p.ref_id);
    }
    for (const Player& p : players) {
        PutPlayerFields(out, p);
    }
    return out;
}

std::string EncodePatch(const std::vector<MapOp>& ops, bool with_root) {
    std::string out;
    PutByte(out, static_cast<unsigned>(Code::kRoomStatePatch));
    if (with_root) {
        out.append("\x80\x01", 2);
        if (ops.empty()) {
            return out;
        }
    }
    out.append("\xff\x01", 2);
    for (const MapOp& op : ops) {
        switch (op.kind) {
            case MapOpKind::kDelete:
                PutByte(out, 0x40);
                PutSchemaNumber(out, op.index);
                continue;
            case MapOpKind::kAdd:
                PutByte(out, 0x80);
                break;
            case MapOpKind::kDeleteAndAdd:
                PutByte(out, 0xc0);
                break;
        }
        PutSchemaNumber(out, op.index);
        PutSchemaString(out, op.player.session_id);
        PutSchemaNumber(out, op.player.ref_id);
    }
    for (const MapOp& op : ops) {
        if (op.kind != MapOpKind::kDelete) {
            PutPlayerFields(out, op.player);
        }
    }
    return out;
}

std::string EncodeMessageTypes() {
    std::string out;
    PutByte(out, static_cast<unsigned>(Code::kRoomData));
    PutSchemaString(out, kMessageTypes);
    PutByte(out, 0x91);
    PutMsgpackString(out, kChatIn);
    return out;
}

std::string EncodeError(int code, std::string_view message) {
    std::string out;
    PutByte(out, static_cast<unsigned>(Code::kError));
    PutSchemaNumber(out, code);
    PutSchemaString(out, message);
    return out;
}

std::string EncodeChatRaw(
    std::string_view session_id,
    std::string_view player_id,
    std::string_view nickname,
    std::string_view message_msgpack,
    double timestamp_ms) {
    std::string out;
    out.reserve(
        96 + session_id.size() + player_id.size() + nickname.size() + message_msgpack.size());
    PutByte(out, static_cast<unsigned>(Code::kRoomData));
    PutSchemaString(out, kChatOut);
    out.append("\xde\x00\x05", 3);  // msgpackr writes every object as map16
    PutMsgpackString(out, "sessionId");
    PutMsgpackString(out, session_id);
    PutMsgpackString(out, "playerId");
    PutMsgpackString(out, player_id);
    PutMsgpackString(out, "nickname");
    PutMsgpackString(out, nickname);
    PutMsgpackString(out, "message");
    out.append(message_msgpack);
    PutMsgpackString(out, "timestamp");
    PutMsgpackNumber(out, timestamp_ms);
    return out;
}

std::string EncodeChat(const ChatMessage& chat) {
    std::string message;
    PutMsgpackString(message, chat.message);
    return EncodeChatRaw(
        chat.session_id, chat.player_id, chat.nickname, message,
        static_cast<double>(chat.timestamp_ms));
}

ClientFrame DecodeClientFrame(std::string_view frame) {
    Reader r(frame);
    auto code = r.Byte();
    if (!code) {
        return ClientMalformed{};
    }
    switch (static_cast<Code>(*code)) {
        case Code::kJoinRoom:
            return r.Done() ? ClientFrame{ClientAck{}} : ClientFrame{ClientMalformed{}};
        case Code::kLeaveRoom:
            return r.Done() ? ClientFrame{ClientLeave{}} : ClientFrame{ClientMalformed{}};
        case Code::kRoomData:
            break;
        default:
            return ClientMalformed{};
    }
    auto first = r.Peek();
    if (!first) {
        return ClientMalformed{};
    }
    std::string type;
    if (IsSchemaStringPrefix(*first)) {
        auto text = ReadSchemaString(r);
        if (!text) {
            return ClientMalformed{};
        }
        type = std::string(*text);
    } else {
        auto number = ReadSchemaNumber(r);
        if (!number) {
            return ClientMalformed{};
        }
        type = NumberText(*number);
    }
    if (type != kChatIn) {
        return ClientUnknownType{std::move(type)};
    }
    if (r.Done()) {
        return ClientChat{std::nullopt};  // no payload: `undefined`
    }
    uint8_t payload = *r.Peek();
    bool is_string = (payload >= 0xa0 && payload <= 0xbf) || payload == 0xd9 || payload == 0xda ||
                     payload == 0xdb;
    if (is_string) {
        auto text = ReadMsgpackString(r);
        if (!text || !r.Done()) {
            return ClientMalformed{};
        }
        return ClientChat{std::string(*text)};
    }
    if (!SkipMsgpack(r, 0) || !r.Done()) {
        return ClientMalformed{};
    }
    return ClientChat{std::nullopt};
}

absl::StatusOr<DecodedState> DecodeState(std::string_view frame) {
    Reader r(frame);
    DecodedState out;
    auto code = r.Byte();
    if (code != static_cast<uint8_t>(Code::kRoomState) &&
        code != static_cast<uint8_t>(Code::kRoomStatePatch)) {
        return Malformed("not a state frame");
    }
    out.full = code == static_cast<uint8_t>(Code::kRoomState);
    if (r.Peek() == 0x80) {
        r.Byte();
        if (r.Byte() != 0x01) {
            return Malformed("root op");
        }
        out.with_root = true;
    }
    if (out.with_root && !out.full && r.Done()) {
        return out;  // the room's first tick, with nothing in the map (vector 91)
    }
    if (r.Byte() != 0xff || r.Byte() != 0x01) {
        return Malformed("switch to the players map");
    }
    while (!r.Done() && r.Peek() != 0xff) {
        auto op = r.Byte();
        auto index = ReadSchemaId(r);
        if (!index) {
            return Malformed("index");
        }
        MapOp m{MapOpKind::kDelete, *index, {}};
        if (op == 0x40) {
            out.ops.push_back(m);
            continue;
        }
        if (op != 0x80 && op != 0xc0) {
            return Malformed("map op");
        }
        m.kind = op == 0x80 ? MapOpKind::kAdd : MapOpKind::kDeleteAndAdd;
        auto key = ReadSchemaString(r);
        auto ref = ReadSchemaId(r);
        if (!key || !ref) {
            return Malformed("map add");
        }
        m.player.index = m.index;
        m.player.session_id = std::string(*key);
        m.player.ref_id = *ref;
        out.ops.push_back(m);
    }
    for (MapOp& m : out.ops) {
        if (m.kind == MapOpKind::kDelete) {
            continue;
        }
        if (r.Byte() != 0xff) {
            return Malformed("switch to a player");
        }
        auto ref = ReadSchemaId(r);
        if (!ref || *ref != m.player.ref_id || r.Byte() != 0x80) {
            return Malformed("player refId");
        }
        auto player_id = ReadSchemaString(r);
        if (!player_id || r.Byte() != 0x81) {
            return Malformed("playerId");
        }
        auto nickname = ReadSchemaString(r);
        if (!nickname) {
            return Malformed("nickname");
        }
        m.player.player_id = std::string(*player_id);
        m.player.nickname = std::string(*nickname);
    }
    if (!r.Done()) {
        return Malformed("trailing bytes");
    }
    return out;
}

absl::StatusOr<DecodedChat> DecodeServerChat(std::string_view frame) {
    Reader r(frame);
    if (r.Byte() != static_cast<uint8_t>(Code::kRoomData)) {
        return Malformed("not ROOM_DATA");
    }
    DecodedChat out;
    auto type = ReadSchemaString(r);
    if (!type) {
        return Malformed("type");
    }
    out.type = std::string(*type);
    auto map = r.Byte();
    std::optional<uint64_t> entries;
    if (map == 0xde) {
        entries = r.Be(2);
    } else if (map && *map >= 0x80 && *map <= 0x8f) {
        entries = *map - 0x80;
    }
    if (!entries) {
        return Malformed("map");
    }
    for (uint64_t i = 0; i < *entries; ++i) {
        auto key = ReadMsgpackString(r);
        if (!key) {
            return Malformed("key");
        }
        if (*key == "message") {
            std::size_t start = r.Pos();
            if (!SkipMsgpack(r, 0)) {
                return Malformed("message");
            }
            out.message_msgpack = std::string(frame.substr(start, r.Pos() - start));
        } else if (*key == "timestamp") {
            auto b = r.Byte();
            if (b == 0xcb) {
                out.timestamp_ms = std::bit_cast<double>(*r.Be(8));
            } else if (b == 0xcf) {
                out.timestamp_ms = static_cast<double>(*r.Be(8));
            } else {
                return Malformed("timestamp");
            }
        } else {
            auto value = ReadMsgpackString(r);
            if (!value) {
                return Malformed("field");
            }
            if (*key == "sessionId") {
                out.session_id = std::string(*value);
            } else if (*key == "playerId") {
                out.player_id = std::string(*value);
            } else if (*key == "nickname") {
                out.nickname = std::string(*value);
            }
        }
    }
    if (!r.Done()) {
        return Malformed("trailing bytes");
    }
    return out;
}

absl::StatusOr<std::string> DecodeJoinRoomToken(std::string_view frame) {
    Reader r(frame);
    if (r.Byte() != static_cast<uint8_t>(Code::kJoinRoom)) {
        return Malformed("not JOIN_ROOM");
    }
    auto n = r.Byte();
    auto token = n ? r.Take(*n) : std::nullopt;
    if (!token) {
        return Malformed("token");
    }
    return std::string(*token);
}

absl::StatusOr<std::pair<int, std::string>> DecodeError(std::string_view frame) {
    Reader r(frame);
    if (r.Byte() != static_cast<uint8_t>(Code::kError)) {
        return Malformed("not ERROR");
    }
    auto code = ReadSchemaNumber(r);
    auto message = ReadSchemaString(r);
    if (!code || !message || !r.Done() || !(*code >= -2147483648.0 && *code <= 2147483647.0)) {
        return Malformed("error");
    }
    return std::make_pair(static_cast<int>(*code), std::string(*message));
}

}  // namespace hatongsu::event::colyseus
