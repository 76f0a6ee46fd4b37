// The world's vocabulary: positions, players, what a peer asks for and what the world sends back.
// Plain values; the geckos codec (adapter/geckos/codec.h) maps them to and from JSON.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace hatongsu::world {

// The 24-character connection id of geckos (spec §1.6); the game uses it as the playerId.
using PeerId = std::string;

struct Vec3 {
    double x = 0;
    double y = 0;
    double z = 0;
    friend bool operator==(const Vec3&, const Vec3&) = default;
};

struct Quaternion {
    double x = 0;
    double y = 0;
    double z = 0;
    double w = 1;
    friend bool operator==(const Quaternion&, const Quaternion&) = default;
};

struct Transform {
    Vec3 position;
    Quaternion rotation;
    friend bool operator==(const Transform&, const Transform&) = default;
};

// The client's animation states (IDLE, WALKING, RUNNING, JUMP).
inline constexpr int kMaxAnimationState = 3;

struct Player {
    PeerId id;
    Transform transform;
    int animation = 0;
    friend bool operator==(const Player&, const Player&) = default;
};

// What a peer sends (already decoded and unwrapped from the reliable wrapper).
struct PlayerUpdate {  // clientPlayerUpdate
    Transform transform;
};
struct AnimationUpdate {  // clientAnimationUpdate; its playerId field is ignored (the sender's id)
    int state = 0;
};
using ClientMessage = std::variant<PlayerUpdate, AnimationUpdate>;

// What the world sends.
struct NewPlayer {  // serverNewPlayer
    Player player;
};
struct ExistingPlayers {  // serverExistingPlayers
    std::vector<Player> players;
};
struct PlayerMoved {  // serverPlayerUpdate
    PeerId player_id;
    Transform transform;
};
struct PlayerAnimation {  // serverPlayerAnimation
    PeerId player_id;
    int state = 0;
};
struct PlayerDisconnected {  // serverPlayerDisconnected
    PeerId player_id;
};
struct Disconnect {};  // {"disconnected":null}: the client's onDisconnect fires at once (§4.4)
using ServerMessage = std::variant<
    NewPlayer,
    ExistingPlayers,
    PlayerMoved,
    PlayerAnimation,
    PlayerDisconnected,
    Disconnect>;

// Effects the world asks the outside to carry out, in order.
struct Send {
    std::vector<PeerId> to;
    ServerMessage message;
    bool reliable = false;  // one-shot facts: sent with the protocol's reliable wrapper (§3.4)
};
struct ClosePeer {
    PeerId peer;
};
using Effect = std::variant<Send, ClosePeer>;
using Effects = std::vector<Effect>;

// Why an incoming message was dropped (each one is counted).
enum class DropReason {
    kMalformed,     // not a geckos event: binary, raw text, bad JSON, too deep, too big, NaN
    kUnknownEvent,  // an event the world does not handle
    kInvalid,       // a known event with a bad payload (shape, bounds, quaternion, state)
    kRateLimited,   // over the peer's update rate
    kDuplicate,     // a reliable copy already delivered
    kNotJoined,     // from a peer that is not (or no longer) a player
};

}  // namespace hatongsu::world
