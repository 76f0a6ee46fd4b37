// The gallery room as a plain state machine: seats, sessions, the replicated `players` map (with
// the map indexes and refIds the colyseus schema needs), chat history, rate limits and mutes. The
// adapter feeds it events (a seat asked for, a socket opened, a frame, a socket lost, a tick) and
// carries out the effects each call returns, in order. No I/O, no clock reads, no locking: the
// caller passes `now` and serialises calls (usecase/gallery.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <absl/status/statusor.h>

#include "hatongsu/core/token_bucket.h"

namespace hatongsu::event {

using ConnectionId = uint64_t;
using TimePoint = std::chrono::system_clock::time_point;

struct Player {
    std::string session_id;
    std::string player_id;
    std::string nickname;
    uint32_t index = 0;   // position in the players map (never reused)
    uint32_t ref_id = 0;  // schema refId of this PlayerSchema (never reused)
};

struct ChatMessage {
    std::string session_id;
    std::string player_id;
    std::string nickname;
    std::string message;
    int64_t timestamp_ms = 0;
};

enum class MapOpKind { kAdd, kDelete, kDeleteAndAdd };
struct MapOp {
    MapOpKind kind;
    uint32_t index;
    Player player;  // kAdd / kDeleteAndAdd only
};

// Effects, carried out by the adapter in order.
struct SendJoinRoom {
    ConnectionId to;
    std::string reconnection_token;
};
struct SendFullState {
    ConnectionId to;
    std::vector<Player> players;  // in map order
};
struct SendMessageTypes {  // the `__playground_message_types` message of the original
    ConnectionId to;
};
struct SendChat {
    std::vector<ConnectionId> to;
    ChatMessage chat;
};
struct SendPatch {
    std::vector<ConnectionId> to;
    std::vector<MapOp> ops;
};
struct SendError {
    ConnectionId to;
    int code;
    std::string message;
};
struct CloseConnection {
    ConnectionId to;
    uint16_t code;  // 0: close frame without a status
    std::string reason;
};
using Effect = std::variant<
    SendJoinRoom,
    SendFullState,
    SendMessageTypes,
    SendChat,
    SendPatch,
    SendError,
    CloseConnection>;
using Effects = std::vector<Effect>;

// Protocol numbers the room decides on (colyseus 0.15).
inline constexpr uint16_t kCloseConsented = 4000;
inline constexpr uint16_t kCloseWithError = 4002;
inline constexpr uint16_t kCloseNoStatus = 0;
inline constexpr uint16_t kClosePolicyViolation =
    1008;  // a flood or garbage (the adapter's budget)
inline constexpr int kMatchmakeNoHandler = 4210;
inline constexpr int kMatchmakeInvalidCriteria = 4211;
inline constexpr int kMatchmakeInvalidRoomId = 4212;
inline constexpr int kMatchmakeExpired = 4214;
inline constexpr int kAuthFailed = 4215;

struct RoomSettings {
    std::string name = "gallery_room";
    std::string room_id;
    std::string process_id;
    TimePoint created_at;
    std::chrono::milliseconds seat_reservation{15000};
    std::chrono::milliseconds reconnect_grace{10000};  // 0: a lost socket removes the player
    std::size_t capacity = 1000;                       // players plus reserved seats
    // Seats reserved and not yet connected (a matchmaking request costs nothing to send): in all,
    // and per client network (core::ClientNetwork of the address).
    std::size_t max_pending_seats = 100;
    std::size_t max_pending_seats_per_client = 10;
    // Sessions of one client network, in every state: one host cannot take the whole room.
    std::size_t max_sessions_per_client = 32;
    std::size_t history = 50;  // chat messages replayed to a joiner
    std::size_t max_message_chars = 500;
    // Every player's fields are in every joiner's full state: they are kept small.
    std::size_t max_nickname_chars = 100;  // and no controls, invisible or bidi characters
    std::size_t max_player_id_bytes = 64;  // printable ASCII
    core::TokenBucket::Limits chat_rate{.per_second = 5, .burst = 10};
    // A kicked user (user_id when the join's token was verified, else the client network) may
    // not take a seat again for this long.
    std::chrono::milliseconds kick_ban{600000};
};

// What a join asked for, as the matchmaking route read it. A field that was absent, empty or not a
// string is empty: the join is refused when the socket opens, as the original did.
struct JoinOptions {
    std::string player_id;
    std::string nickname;
    std::string user_id;  // subject of a verified access token, if any
    std::string client;   // the client's network (core::ClientNetwork), for the pending limits
};

struct Seat {
    std::string session_id;
    std::size_t clients;  // players plus reserved seats, this one included
};

// Counters of what was refused; never reset.
struct RoomStats {
    uint64_t chats = 0;
    uint64_t dropped_rate_limited = 0;
    uint64_t dropped_too_long = 0;
    uint64_t dropped_invalid = 0;  // not a string, invalid UTF-8, blank
    uint64_t dropped_muted = 0;
    uint64_t dropped_no_player = 0;
    uint64_t dropped_before_join = 0;  // before the JOIN_ROOM acknowledgement
    uint64_t malformed_frames = 0;
    uint64_t refused_banned = 0;  // seats asked for by a kicked user within the ban
};

// A client frame, decoded by the adapter.
struct ClientAck {};
struct ClientLeave {};
struct ClientChat {
    std::optional<std::string> text;  // nullopt: the payload was absent or not a string
};
struct ClientUnknownType {
    std::string type;  // as text (numbers in decimal)
};
struct ClientMalformed {};  // garbage, unknown protocol code, truncated msgpack
using ClientFrame =
    std::variant<ClientAck, ClientLeave, ClientChat, ClientUnknownType, ClientMalformed>;

class Room final {
public:
    explicit Room(RoomSettings settings) : settings_(std::move(settings)) {}

    const RoomSettings& Settings() const { return settings_; }
    std::size_t Clients() const { return players_.size() + reserved_; }
    const RoomStats& Stats() const { return stats_; }
    std::vector<Player> Players() const;  // in map order

    // Matchmaking `join`: reserves a seat for `seat_reservation`. ResourceExhausted when full or
    // when this client network has max_sessions_per_client sessions already;
    // Unavailable when max_pending_seats seats (or max_pending_seats_per_client for this client)
    // are reserved and not yet connected; PermissionDenied when the user was kicked within
    // kick_ban.
    absl::StatusOr<Seat> ReserveSeat(
        JoinOptions options, std::string session_id, std::string reconnection_token, TimePoint now);
    // Matchmaking `reconnect`: a session whose socket was lost within the grace window gets a seat
    // again (same session id). NotFound when the token matches no such session.
    absl::StatusOr<Seat> ReserveReconnection(std::string_view token, TimePoint now);

    // A socket opened for `session_id` on `room_id` (reconnection_token: the query's, if any).
    Effects Connect(
        ConnectionId conn,
        std::string_view room_id,
        std::string_view session_id,
        std::optional<std::string_view> reconnection_token,
        TimePoint now);
    Effects OnFrame(ConnectionId conn, const ClientFrame& frame, TimePoint now);
    // The socket is gone (closed by either side, dropped, timed out).
    Effects OnDisconnect(ConnectionId conn, TimePoint now);
    // Every patch interval: expired seats and grace windows, then the patch.
    Effects Tick(TimePoint now);

    // Moderation, of the user behind a session (user_id when its token was verified, else its
    // client network): a kick closes the session and bans the user for kick_ban; a mute holds
    // for every session of the user until unmuted. NotFound when no such session.
    absl::StatusOr<Effects> Kick(std::string_view session_id, TimePoint now);
    absl::Status Mute(std::string_view session_id, bool muted);
    // Shutdown: closes every socket with 4000 and forgets every session.
    Effects CloseAll();

private:
    enum class State { kReserved, kJoining, kJoined, kDisconnected };
    struct Session {
        std::string id;
        std::string token;
        JoinOptions options;
        State state = State::kReserved;
        bool has_player = false;
        Player player;
        std::optional<ConnectionId> conn;
        TimePoint deadline{};  // seat expiry (kReserved) or end of the grace window
        core::TokenBucket bucket;
        // Last chat this session has been sent; while it is joined and connected, every chat is.
        uint64_t delivered_seq = 0;
    };

    Session* SessionOf(ConnectionId conn);
    void AddPlayer(Session& s);
    void RemovePlayer(Session& s);
    void Forget(std::string session_id);
    void Unreserve(const Session& s);  // a kReserved session without a player leaves that state
    const std::vector<ConnectionId>& JoinedConnections();
    void Chat(Session& s, const ClientChat& chat, TimePoint now, Effects& out);

    RoomSettings settings_;
    std::unordered_map<std::string, Session> sessions_;
    std::vector<ConnectionId> joined_;  // JoinedConnections' cache
    bool joined_dirty_ = true;
    std::unordered_map<ConnectionId, std::string> by_conn_;
    std::map<uint32_t, std::string> players_;  // map index -> session id (map order)
    std::size_t reserved_ = 0;                 // sessions in kReserved without a player
    std::unordered_map<std::string, std::size_t> reserved_by_client_;  // of reserved_
    std::unordered_map<std::string, std::size_t> sessions_by_client_;  // of sessions_
    uint32_t next_index_ = 0;
    uint32_t next_ref_id_ = 2;  // 0: root, 1: the players map
    std::vector<MapOp> pending_;
    struct HistoryEntry {
        uint64_t seq;
        ChatMessage chat;
    };
    std::deque<HistoryEntry> history_;
    uint64_t chat_seq_ = 0;
    RoomStats stats_;
    std::unordered_map<std::string, TimePoint> banned_;  // user key -> end of the ban
    std::unordered_set<std::string> muted_;              // user keys
};

// Characters (code points) of valid UTF-8 text; nullopt when it is not valid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

}  // namespace hatongsu::event
