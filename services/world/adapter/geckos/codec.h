// The geckos.io v3 channel messages (spec §3.2–3.4), pure functions:
// - ParseChannelMessage: one inbound data-channel message -> an event {name, data}, with the
//   reliable wrapper {"MESSAGE":…,"RELIABLE":1,"ID":"…"} taken off (its ID kept for the dedupe).
//   Bounded before anything is parsed: at most `max_bytes`, binary and raw text refused, JSON
//   nested deeper than `max_depth` refused while parsing (the parser stops at that depth), numbers
//   that are not finite or larger than kMaxMagnitude refused, exactly one key at the top.
// - ToClientMessage: the game's events (clientPlayerUpdate, clientAnimationUpdate) -> domain.
// - EncodeServerMessage / EncodeReliable: domain -> the exact JSON the original server sent.
//
//   auto ev = ParseChannelMessage(R"({"clientAnimationUpdate":{"playerId":"x","state":1}})",
//                                 false, {});
//   auto msg = ToClientMessage(*ev);  // AnimationUpdate{.state = 1}
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>
#include <boost/json/value.hpp>

#include "services/world/domain/messages.h"

namespace hatongsu::world::geckos {

inline constexpr double kMaxMagnitude = 1e9;
inline constexpr std::size_t kMaxReliableIdLength = 64;

struct CodecLimits {
    std::size_t max_bytes = 4096;
    std::size_t max_depth = 8;  // the game needs 4 (reliable wrapper included)
};

struct ChannelEvent {
    std::string name;
    boost::json::value data;                 // null when the sender gave none
    std::optional<std::string> reliable_id;  // set when the message came in the reliable wrapper
};

// InvalidArgument for anything that is not one bounded geckos event (see above).
absl::StatusOr<ChannelEvent> ParseChannelMessage(
    std::string_view data, bool binary, const CodecLimits& limits);

// NotFound for an event the game does not handle; InvalidArgument for a known event whose data
// lacks the fields the game reads (extra fields are ignored).
absl::StatusOr<ClientMessage> ToClientMessage(const ChannelEvent& event);

// The event name of a server message ("serverNewPlayer", …, "disconnected").
std::string_view EventName(const ServerMessage& message);
// {"<event>":<data>}
std::string EncodeServerMessage(const ServerMessage& message);
// {"<event>":{"MESSAGE":<data>,"RELIABLE":1,"ID":"<id>"}}
std::string EncodeReliable(const ServerMessage& message, std::string_view id);

// A number as JavaScript's JSON.stringify writes it (integers without a fraction, -0 as 0,
// otherwise the shortest text that reads back the same); non-finite values as null.
std::string FormatNumber(double v);

}  // namespace hatongsu::world::geckos
