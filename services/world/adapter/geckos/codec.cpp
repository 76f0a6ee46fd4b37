#include "services/world/adapter/geckos/codec.h"

#include <charconv>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "hatongsu/core/overloaded.h"

namespace hatongsu::world::geckos {
namespace json = boost::json;
namespace {

// Every number in `v` finite and within ±kMaxMagnitude. Depth is already bounded by the parser,
// so the recursion is too.
bool NumbersInRange(const json::value& v) {
    switch (v.kind()) {
        case json::kind::double_:
            return std::isfinite(v.get_double()) && std::abs(v.get_double()) <= kMaxMagnitude;
        case json::kind::int64:
            return v.get_int64() <= static_cast<std::int64_t>(kMaxMagnitude) &&
                   v.get_int64() >= -static_cast<std::int64_t>(kMaxMagnitude);
        case json::kind::uint64:
            return v.get_uint64() <= static_cast<std::uint64_t>(kMaxMagnitude);
        case json::kind::array:
            for (const json::value& e : v.get_array()) {
                if (!NumbersInRange(e)) {
                    return false;
                }
            }
            return true;
        case json::kind::object:
            for (const auto& kv : v.get_object()) {
                if (!NumbersInRange(kv.value())) {
                    return false;
                }
            }
            return true;
        default:
            return true;
    }
}

std::optional<double> Number(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_number()) {
        return std::nullopt;
    }
    return v->to_number<double>();
}

std::optional<Vec3> ReadVec3(const json::value* v) {
    if (v == nullptr || !v->is_object()) {
        return std::nullopt;
    }
    const json::object& o = v->get_object();
    auto x = Number(o, "x");
    auto y = Number(o, "y");
    auto z = Number(o, "z");
    if (!x || !y || !z) {
        return std::nullopt;
    }
    return Vec3{*x, *y, *z};
}

std::optional<Quaternion> ReadQuaternion(const json::value* v) {
    if (v == nullptr || !v->is_object()) {
        return std::nullopt;
    }
    const json::object& o = v->get_object();
    auto x = Number(o, "x");
    auto y = Number(o, "y");
    auto z = Number(o, "z");
    auto w = Number(o, "w");
    if (!x || !y || !z || !w) {
        return std::nullopt;
    }
    return Quaternion{*x, *y, *z, *w};
}

void PutString(std::string& out, std::string_view s) {
    out += json::serialize(json::string(s));
}

void PutTransform(std::string& out, const Transform& t) {
    const Vec3& p = t.position;
    const Quaternion& q = t.rotation;
    out += R"({"position":{"x":)" + FormatNumber(p.x) + R"(,"y":)" + FormatNumber(p.y) +
           R"(,"z":)" + FormatNumber(p.z) + R"(},"rotation":{"x":)" + FormatNumber(q.x) +
           R"(,"y":)" + FormatNumber(q.y) + R"(,"z":)" + FormatNumber(q.z) + R"(,"w":)" +
           FormatNumber(q.w) + "}}";
}

void PutPlayer(std::string& out, const PeerId& id, const Transform& t) {
    out += R"({"playerId":)";
    PutString(out, id);
    out += R"(,"transform":)";
    PutTransform(out, t);
    out += '}';
}

// The data part of a server message.
std::string Data(const ServerMessage& message) {
    std::string out;
    std::visit(
        core::Overloaded{
            [&](const NewPlayer& m) { PutPlayer(out, m.player.id, m.player.transform); },
            [&](const ExistingPlayers& m) {
                out += '[';
                for (std::size_t i = 0; i < m.players.size(); ++i) {
                    if (i > 0) {
                        out += ',';
                    }
                    PutPlayer(out, m.players[i].id, m.players[i].transform);
                }
                out += ']';
            },
            [&](const PlayerMoved& m) { PutPlayer(out, m.player_id, m.transform); },
            [&](const PlayerAnimation& m) {
                out += R"({"playerId":)";
                PutString(out, m.player_id);
                out += R"(,"state":)" + std::to_string(m.state) + "}";
            },
            [&](const PlayerDisconnected& m) { PutString(out, m.player_id); },
            [&](const Disconnect&) { out += "null"; },
        },
        message);
    return out;
}

}  // namespace

std::string FormatNumber(double v) {
    if (!std::isfinite(v)) {
        return "null";
    }
    if (v == 0) {
        return "0";  // also -0, as JSON.stringify
    }
    // The shortest digits that read back as v, then laid out as ECMAScript's Number::toString
    // does: plain notation for exponents -7 < e < 21, else d.ddde±x.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(end - buf));
    std::string out;
    if (sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    const std::size_t e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e)) {
        if (c != '.') {
            digits += c;
        }
    }
    while (digits.size() > 1 && digits.back() == '0') {
        digits.pop_back();
    }
    int exponent = 0;
    std::from_chars(
        sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // position of the decimal point
    if (k <= n && n <= 21) {
        out += digits + std::string(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out += digits.substr(0, static_cast<std::size_t>(n)) + "." +
               digits.substr(static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
    } else {
        out += digits.substr(0, 1);
        if (k > 1) {
            out += "." + digits.substr(1);
        }
        out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
    }
    return out;
}

absl::StatusOr<ChannelEvent> ParseChannelMessage(
    std::string_view data, bool binary, const CodecLimits& limits) {
    if (binary) {
        return absl::InvalidArgumentError("binary messages are not used by the game");
    }
    if (data.size() > limits.max_bytes) {
        return absl::InvalidArgumentError("message too large");
    }
    std::size_t first = data.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || data[first] != '{') {
        return absl::InvalidArgumentError("not a geckos event (raw message)");
    }
    json::parse_options options;
    options.max_depth = limits.max_depth;
    json::error_code ec;
    json::value v = json::parse(data, ec, json::storage_ptr(), options);
    if (ec) {
        return absl::InvalidArgumentError("malformed JSON (or nested too deep)");
    }
    if (!v.is_object() || v.get_object().size() != 1) {
        return absl::InvalidArgumentError("an event is an object with exactly one key");
    }
    if (!NumbersInRange(v)) {
        return absl::InvalidArgumentError("number out of range");
    }
    json::object& top = v.get_object();
    ChannelEvent out;
    out.name = std::string(top.begin()->key());
    out.data = std::move(top.begin()->value());
    if (out.data.is_object()) {
        json::object& wrapper = out.data.get_object();
        const json::value* reliable = wrapper.if_contains("RELIABLE");
        if (reliable != nullptr && reliable->is_number() && reliable->to_number<double>() == 1) {
            const json::value* id = wrapper.if_contains("ID");
            if (id == nullptr || !id->is_string() || id->get_string().empty() ||
                id->get_string().size() > kMaxReliableIdLength) {
                return absl::InvalidArgumentError("reliable message without a valid ID");
            }
            out.reliable_id = std::string(id->get_string());
            json::value message;
            if (json::value* m = wrapper.if_contains("MESSAGE"); m != nullptr) {
                message = std::move(*m);
            }
            out.data = std::move(message);
        }
    }
    return out;
}

absl::StatusOr<ClientMessage> ToClientMessage(const ChannelEvent& event) {
    if (event.name == "clientPlayerUpdate") {
        if (!event.data.is_object()) {
            return absl::InvalidArgumentError("clientPlayerUpdate needs an object");
        }
        const json::object& o = event.data.get_object();
        auto position = ReadVec3(o.if_contains("position"));
        auto rotation = ReadQuaternion(o.if_contains("rotation"));
        if (!position || !rotation) {
            return absl::InvalidArgumentError("clientPlayerUpdate needs position and rotation");
        }
        return ClientMessage{PlayerUpdate{Transform{*position, *rotation}}};
    }
    if (event.name == "clientAnimationUpdate") {
        if (!event.data.is_object()) {
            return absl::InvalidArgumentError("clientAnimationUpdate needs an object");
        }
        auto state = Number(event.data.get_object(), "state");
        if (!state || *state != std::trunc(*state) || std::abs(*state) > 1000) {
            return absl::InvalidArgumentError("clientAnimationUpdate needs an integer state");
        }
        return ClientMessage{AnimationUpdate{static_cast<int>(*state)}};
    }
    return absl::NotFoundError("unknown event");
}

std::string_view EventName(const ServerMessage& message) {
    return std::visit(
        core::Overloaded{
            [](const NewPlayer&) { return std::string_view("serverNewPlayer"); },
            [](const ExistingPlayers&) { return std::string_view("serverExistingPlayers"); },
            [](const PlayerMoved&) { return std::string_view("serverPlayerUpdate"); },
            [](const PlayerAnimation&) { return std::string_view("serverPlayerAnimation"); },
            [](const PlayerDisconnected&) { return std::string_view("serverPlayerDisconnected"); },
            [](const Disconnect&) { return std::string_view("disconnected"); },
        },
        message);
}

std::string EncodeServerMessage(const ServerMessage& message) {
    std::string out = "{\"";
    out += EventName(message);
    out += "\":";
    out += Data(message);
    out += '}';
    return out;
}

std::string EncodeReliable(const ServerMessage& message, std::string_view id) {
    std::string out = "{\"";
    out += EventName(message);
    out += R"(":{"MESSAGE":)";
    out += Data(message);
    out += R"(,"RELIABLE":1,"ID":)";
    PutString(out, id);
    out += "}}";
    return out;
}

}  // namespace hatongsu::world::geckos
