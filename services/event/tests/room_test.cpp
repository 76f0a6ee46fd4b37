// The room state machine, without sockets: events in, effects out.
#include "services/event/domain/room.h"

#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::event {
namespace {

using namespace std::chrono_literals;
using testkit::StatusIs;

class RoomTest : public ::testing::Test {
protected:
    RoomTest() : room_(Settings()) {}

    static RoomSettings Settings() {
        RoomSettings s;
        s.room_id = "room1";
        s.process_id = "proc1";
        s.capacity = 5;
        s.history = 3;
        s.max_message_chars = 10;
        s.reconnect_grace = 10s;
        return s;
    }

    // Reserves a seat, connects `conn` and acknowledges; returns the session id.
    std::string Join(ConnectionId conn, std::string player, std::string nick) {
        auto seat = room_.ReserveSeat(
            {player, nick, "", ""}, "s" + std::to_string(conn), "t" + std::to_string(conn), now_);
        EXPECT_TRUE(seat.ok());
        room_.Connect(conn, "room1", seat->session_id, std::nullopt, now_);
        last_ = room_.OnFrame(conn, ClientAck{}, now_);
        return seat->session_id;
    }

    Effects Chat(ConnectionId conn, std::optional<std::string> text) {
        return room_.OnFrame(conn, ClientChat{std::move(text)}, now_);
    }

    template <typename T>
    static std::vector<T> All(const Effects& effects) {
        std::vector<T> out;
        for (const Effect& e : effects) {
            if (const T* t = std::get_if<T>(&e)) {
                out.push_back(*t);
            }
        }
        return out;
    }

    TimePoint now_ = TimePoint(1'800'000'000s);
    Room room_;
    Effects last_;
};

TEST_F(RoomTest, JoinSendsJoinRoomThenStateOnAck) {
    auto seat = room_.ReserveSeat({"player-a", "Alice", "", ""}, "sa", "ta", now_);
    ASSERT_TRUE(seat.ok());
    EXPECT_EQ(seat->clients, 1u);
    Effects connect = room_.Connect(1, "room1", "sa", std::nullopt, now_);
    ASSERT_EQ(connect.size(), 1u);
    EXPECT_EQ(std::get<SendJoinRoom>(connect[0]).reconnection_token, "ta");
    Effects ack = room_.OnFrame(1, ClientAck{}, now_);
    ASSERT_GE(ack.size(), 2u);
    const auto& state = std::get<SendFullState>(ack[0]);
    ASSERT_EQ(state.players.size(), 1u);
    EXPECT_EQ(state.players[0].player_id, "player-a");
    EXPECT_EQ(state.players[0].index, 0u);
    EXPECT_EQ(state.players[0].ref_id, 2u);
    EXPECT_TRUE(std::holds_alternative<SendMessageTypes>(ack[1]));
}

TEST_F(RoomTest, PatchCarriesAddsAndDeletesToJoinedClients) {
    Join(1, "player-a", "Alice");
    room_.Tick(now_);  // A's own add
    Join(2, "player-b", "Bob");
    auto patches = All<SendPatch>(room_.Tick(now_));
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].ops.size(), 1u);
    EXPECT_EQ(patches[0].ops[0].kind, MapOpKind::kAdd);
    EXPECT_EQ(patches[0].ops[0].player.ref_id, 3u);
    EXPECT_EQ(patches[0].to.size(), 2u);
    EXPECT_TRUE(room_.Tick(now_).empty());  // nothing changed: no patch

    Effects leave = room_.OnFrame(2, ClientLeave{}, now_);
    auto closes = All<CloseConnection>(leave);
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].code, kCloseConsented);
    patches = All<SendPatch>(room_.Tick(now_));
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].ops[0].kind, MapOpKind::kDelete);
    EXPECT_EQ(patches[0].ops[0].index, 1u);
    EXPECT_EQ(patches[0].to, std::vector<ConnectionId>{1});
}

TEST_F(RoomTest, AddedAndRemovedInOneTickLeavesOnlyTheDelete) {
    Join(1, "player-a", "Alice");
    room_.OnFrame(1, ClientLeave{}, now_);
    auto patches = All<SendPatch>(room_.Tick(now_));
    ASSERT_EQ(patches.size(), 1u);
    ASSERT_EQ(patches[0].ops.size(), 1u);
    EXPECT_EQ(patches[0].ops[0].kind, MapOpKind::kDelete);
}

TEST_F(RoomTest, ChatGoesToEveryoneWithTheSendersFields) {
    std::string a = Join(1, "player-a", "Alice");
    Join(2, "player-b", "Bob");
    auto chats = All<SendChat>(Chat(1, "hello"));
    ASSERT_EQ(chats.size(), 1u);
    EXPECT_EQ(chats[0].to.size(), 2u);
    EXPECT_EQ(chats[0].chat.session_id, a);
    EXPECT_EQ(chats[0].chat.player_id, "player-a");
    EXPECT_EQ(chats[0].chat.nickname, "Alice");
    EXPECT_EQ(chats[0].chat.message, "hello");
    EXPECT_EQ(chats[0].chat.timestamp_ms, 1'800'000'000'000);
}

TEST_F(RoomTest, LateJoinerGetsTheLastMessagesBeforeLiveOnes) {
    Join(1, "player-a", "Alice");
    for (int i = 0; i < 5; ++i) {
        now_ += 1s;  // within the rate limit
        Chat(1, "m" + std::to_string(i));
    }
    Join(2, "player-b", "Bob");
    auto replay = All<SendChat>(last_);
    ASSERT_EQ(replay.size(), 3u);  // history = 3
    EXPECT_EQ(replay[0].chat.message, "m2");
    EXPECT_EQ(replay[2].chat.message, "m4");
    EXPECT_EQ(replay[0].to, std::vector<ConnectionId>{2});
}

TEST_F(RoomTest, BadChatsAreDroppedAndCounted) {
    Join(1, "player-a", "Alice");
    EXPECT_TRUE(Chat(1, std::nullopt).empty());                // not a string
    EXPECT_TRUE(Chat(1, std::string("\xff\xfe", 2)).empty());  // invalid UTF-8
    EXPECT_TRUE(Chat(1, std::string("\xc0\xaf", 2)).empty());  // overlong
    EXPECT_TRUE(Chat(1, "12345678901").empty());               // 11 characters > 10
    EXPECT_FALSE(Chat(1, "하통수하통수하통수하").empty());     // 10 characters, 30 bytes
    EXPECT_TRUE(Chat(1, "").empty());                          // empty
    EXPECT_TRUE(Chat(1, " \n\t").empty());                     // blank
    EXPECT_EQ(room_.Stats().dropped_invalid, 5u);
    EXPECT_EQ(room_.Stats().dropped_too_long, 1u);
    EXPECT_EQ(room_.Stats().chats, 1u);
}

// A session that has not acknowledged JOIN_ROOM has been sent nothing; it may not chat.
TEST_F(RoomTest, ChatBeforeTheJoinAcknowledgementIsDroppedAndCounted) {
    Join(1, "player-a", "Alice");
    ASSERT_TRUE(room_.ReserveSeat({"player-b", "Bob", "", ""}, "sb", "tb", now_).ok());
    ASSERT_EQ(room_.Connect(2, "room1", "sb", std::nullopt, now_).size(), 1u);
    EXPECT_TRUE(Chat(2, "free ride").empty());
    EXPECT_EQ(room_.Stats().dropped_before_join, 1u);
    EXPECT_EQ(room_.Stats().chats, 0u);
    room_.OnFrame(2, ClientAck{}, now_);
    EXPECT_EQ(All<SendChat>(Chat(2, "now ok")).size(), 1u);
}

TEST_F(RoomTest, RateLimitAllowsABurstThenDrops) {
    Join(1, "player-a", "Alice");
    int sent = 0;
    for (int i = 0; i < 20; ++i) {
        sent += Chat(1, "x").empty() ? 0 : 1;
    }
    EXPECT_EQ(sent, 10);  // the burst
    EXPECT_EQ(room_.Stats().dropped_rate_limited, 10u);
    now_ += 1s;  // 5 more tokens
    sent = 0;
    for (int i = 0; i < 10; ++i) {
        sent += Chat(1, "x").empty() ? 0 : 1;
    }
    EXPECT_EQ(sent, 5);
}

TEST_F(RoomTest, SeatProblemsGetTheErrorAndClose4002) {
    auto check = [](const Effects& effects) {
        ASSERT_EQ(effects.size(), 2u);
        EXPECT_EQ(std::get<SendError>(effects[0]).code, 0);
        EXPECT_EQ(std::get<SendError>(effects[0]).message, "seat reservation expired.");
        EXPECT_EQ(std::get<CloseConnection>(effects[1]).code, kCloseWithError);
    };
    check(room_.Connect(1, "room1", "nobody", std::nullopt, now_));  // wrong seat
    ASSERT_TRUE(room_.ReserveSeat({"p", "n", "", ""}, "sx", "tx", now_).ok());
    check(room_.Connect(2, "other-room", "sx", std::nullopt, now_));  // unknown room
    room_.Connect(3, "room1", "sx", std::nullopt, now_);
    room_.OnFrame(3, ClientAck{}, now_);
    check(room_.Connect(4, "room1", "sx", std::nullopt, now_));  // reused seat
    ASSERT_TRUE(room_.ReserveSeat({"p", "n", "", ""}, "sy", "ty", now_).ok());
    now_ += 15s;
    room_.Tick(now_);
    check(room_.Connect(5, "room1", "sy", std::nullopt, now_));  // expired
    EXPECT_EQ(room_.Clients(), 1u);                              // the expired seat is gone
}

TEST_F(RoomTest, JoinWithoutNicknameOrWithNonStringsIsClosedWithoutStatus) {
    for (JoinOptions options : std::vector<JoinOptions>{
             {"player-x", "", "", ""},
             {"", "nick", "", ""},
             {"", "", "", ""},
             {"p", std::string("\xff", 1), "", ""}}) {
        auto seat =
            room_.ReserveSeat(options, "s" + options.player_id + options.nickname, "t", now_);
        ASSERT_TRUE(seat.ok());
        Effects effects = room_.Connect(9, "room1", seat->session_id, std::nullopt, now_);
        ASSERT_EQ(effects.size(), 1u);
        EXPECT_EQ(std::get<CloseConnection>(effects[0]).code, kCloseNoStatus);
        // A chat squeezed in before the close is ignored (the original crashed here).
        EXPECT_TRUE(Chat(9, "hi").empty());
    }
    EXPECT_EQ(room_.Clients(), 0u);
    EXPECT_TRUE(room_.Tick(now_).empty());  // nobody ever appeared
}

// Every player's fields go into every joiner's full state: ~500 players with 1 KiB fields made it
// larger than a send queue, and every new joiner was dropped.
TEST_F(RoomTest, OversizedOrDisguisingPlayerFieldsAreRefusedAsAMissingNickname) {
    std::string hundred;
    for (int i = 0; i < 100; ++i) {
        hundred += "한";
    }
    int n = 0;
    auto connect = [&](std::string player, std::string nick) {
        ++n;
        std::string id = "f" + std::to_string(n);
        EXPECT_TRUE(room_.ReserveSeat({player, nick, "", ""}, id, "t" + id, now_).ok());
        Effects effects = room_.Connect(100 + n, "room1", id, std::nullopt, now_);
        EXPECT_EQ(effects.size(), 1u);
        return !effects.empty() && std::holds_alternative<SendJoinRoom>(effects[0]);
    };
    EXPECT_TRUE(connect(std::string(64, 'p'), hundred));  // 64 bytes, 100 characters
    EXPECT_FALSE(connect(std::string(65, 'p'), "Alice"));
    EXPECT_FALSE(connect("player-a", hundred + "x"));  // 101 characters
    EXPECT_FALSE(connect("player-é", "Alice"));        // not ASCII
    EXPECT_FALSE(connect("player\x01", "Alice"));      // control
    EXPECT_FALSE(connect("player-a", "nimda\u202e"));  // right-to-left override
    EXPECT_FALSE(connect("player-a", "Al\u200bice"));  // zero-width space
    EXPECT_FALSE(connect("player-a", "Al\nice"));      // control
    EXPECT_FALSE(connect("player-a", "   "));          // blank
    EXPECT_EQ(room_.Players().size(), 1u);
}

TEST_F(RoomTest, UnknownTypeClosesWith4002AndTheReason) {
    Join(1, "player-a", "Alice");
    auto closes = All<CloseConnection>(room_.OnFrame(1, ClientUnknownType{"noSuchType"}, now_));
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].code, kCloseWithError);
    EXPECT_EQ(closes[0].reason, "onMessage for \"noSuchType\" not registered.");
    auto long_type =
        All<CloseConnection>(room_.OnFrame(2, ClientUnknownType{std::string(500, 'x')}, now_));
    EXPECT_LE(long_type[0].reason.size(), 123u);
}

TEST_F(RoomTest, MalformedFramesAreCountedAndIgnored) {
    Join(1, "player-a", "Alice");
    EXPECT_TRUE(room_.OnFrame(1, ClientMalformed{}, now_).empty());
    EXPECT_EQ(room_.Stats().malformed_frames, 1u);
}

TEST_F(RoomTest, ReconnectionWithinTheGraceKeepsTheSession) {
    std::string a = Join(1, "player-a", "Alice");
    Join(2, "player-b", "Bob");
    room_.Tick(now_);
    room_.OnDisconnect(1, now_);
    EXPECT_TRUE(room_.Tick(now_).empty());  // still in the map: no delete yet
    Chat(2, "while away");

    auto seat = room_.ReserveReconnection("t1", now_ + 5s);
    ASSERT_TRUE(seat.ok());
    EXPECT_EQ(seat->session_id, a);
    // The wrong token on the socket is refused; the right one resumes.
    EXPECT_EQ(room_.Connect(3, "room1", a, "bad", now_ + 5s).size(), 2u);
    Effects resumed = room_.Connect(4, "room1", a, "t1", now_ + 5s);
    ASSERT_EQ(resumed.size(), 1u);
    EXPECT_EQ(std::get<SendJoinRoom>(resumed[0]).reconnection_token, "t1");
    Effects ack = room_.OnFrame(4, ClientAck{}, now_ + 5s);
    EXPECT_EQ(std::get<SendFullState>(ack[0]).players.size(), 2u);
    auto missed = All<SendChat>(ack);
    ASSERT_EQ(missed.size(), 1u);  // only what it missed
    EXPECT_EQ(missed[0].chat.message, "while away");
    EXPECT_TRUE(room_.Tick(now_ + 5s).empty());  // the map never changed
}

TEST_F(RoomTest, GraceExpiryRemovesThePlayer) {
    Join(1, "player-a", "Alice");
    room_.Tick(now_);
    room_.OnDisconnect(1, now_);
    auto patches = All<SendPatch>(room_.Tick(now_ + 10s));
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].ops[0].kind, MapOpKind::kDelete);
    EXPECT_THAT(room_.ReserveReconnection("t1", now_ + 11s), StatusIs(absl::StatusCode::kNotFound));
}

// A socket that connects but never acknowledges JOIN_ROOM is closed and its player removed once
// the seat reservation time has passed, instead of holding a place for as long as it answers pings.
TEST_F(RoomTest, AJoinNeverAcknowledgedExpires) {
    Join(1, "player-a", "Alice");
    auto seat = room_.ReserveSeat({"player-b", "Bob", "", ""}, "sb", "tb", now_);
    ASSERT_TRUE(seat.ok());
    room_.Connect(2, "room1", "sb", std::nullopt, now_);  // no ClientAck
    room_.Tick(now_);
    EXPECT_EQ(room_.Clients(), 2u);
    EXPECT_TRUE(All<CloseConnection>(room_.Tick(now_ + 14s)).empty());
    Effects expired = room_.Tick(now_ + 15s);  // RoomSettings::seat_reservation
    auto closes = All<CloseConnection>(expired);
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].to, 2u);
    EXPECT_EQ(closes[0].code, kCloseWithError);
    auto patches = All<SendPatch>(expired);
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].ops[0].kind, MapOpKind::kDelete);
    EXPECT_EQ(room_.Clients(), 1u);
    EXPECT_TRUE(room_.OnDisconnect(2, now_ + 16s).empty());  // the socket's end changes nothing
}

TEST_F(RoomTest, CapacityCountsPlayersAndSeats) {
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(room_.ReserveSeat({"p", "n", "", ""}, "s" + std::to_string(i), "t", now_).ok());
    }
    EXPECT_THAT(
        room_.ReserveSeat({"p", "n", "", ""}, "s9", "t", now_),
        StatusIs(absl::StatusCode::kResourceExhausted));
}

// 1,010 matchmaking requests used to hold every seat for 15 s, again and again.
TEST_F(RoomTest, SeatsWaitingForTheirSocketAreCappedInAllAndPerClient) {
    RoomSettings settings = Settings();
    settings.capacity = 1000;
    settings.max_pending_seats = 4;
    settings.max_pending_seats_per_client = 2;
    Room room(settings);
    auto reserve = [&](const std::string& client, const std::string& id) {
        return room.ReserveSeat({"p", "n", "", client}, id, "t" + id, now_);
    };
    ASSERT_TRUE(reserve("10.0.0.1", "a1").ok());
    ASSERT_TRUE(reserve("10.0.0.1", "a2").ok());
    EXPECT_THAT(reserve("10.0.0.1", "a3"), StatusIs(absl::StatusCode::kUnavailable));
    ASSERT_TRUE(reserve("10.0.0.2", "b1").ok());
    ASSERT_TRUE(reserve("10.0.0.3", "c1").ok());
    EXPECT_THAT(reserve("10.0.0.4", "d1"), StatusIs(absl::StatusCode::kUnavailable));
    // A seat connected is a player, no longer pending: room for one more, from that client too.
    room.Connect(1, "room1", "a1", std::nullopt, now_);
    room.OnFrame(1, ClientAck{}, now_);
    EXPECT_TRUE(reserve("10.0.0.1", "a3").ok());
    EXPECT_THAT(reserve("10.0.0.4", "d1"), StatusIs(absl::StatusCode::kUnavailable));
    // Expired seats free their places.
    now_ += 15s;
    room.Tick(now_);
    EXPECT_TRUE(reserve("10.0.0.1", "a4").ok());
    EXPECT_TRUE(reserve("10.0.0.1", "a5").ok());
    EXPECT_TRUE(reserve("10.0.0.4", "d1").ok());
    EXPECT_EQ(room.Clients(), 4u);  // the player and three seats
}

// One host used to be able to take all 1,000 places, ten pending seats at a time.
TEST_F(RoomTest, OneClientNetworkHoldsAtMostItsShareOfSessions) {
    RoomSettings settings = Settings();
    settings.capacity = 1000;
    settings.max_sessions_per_client = 2;
    settings.reconnect_grace = 10s;
    Room room(settings);
    auto reserve = [&](const std::string& client, const std::string& id) {
        return room.ReserveSeat({"p" + id, "n", "", client}, id, "t" + id, now_);
    };
    ASSERT_TRUE(reserve("10.0.0.1", "a1").ok());
    room.Connect(1, "room1", "a1", std::nullopt, now_);
    room.OnFrame(1, ClientAck{}, now_);
    ASSERT_TRUE(reserve("10.0.0.1", "a2").ok());
    // A joined player and a pending seat: the network is full, others are not.
    EXPECT_THAT(reserve("10.0.0.1", "a3"), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_TRUE(reserve("10.0.0.2", "b1").ok());
    // A lost socket keeps its place through the reconnection window, then frees it.
    room.OnDisconnect(1, now_);
    EXPECT_THAT(reserve("10.0.0.1", "a3"), StatusIs(absl::StatusCode::kResourceExhausted));
    now_ += 11s;
    room.Tick(now_);
    EXPECT_TRUE(reserve("10.0.0.1", "a3").ok());
}

// A kicked client used to rejoin at once, and a muted one to come back unmuted in a new session.
TEST_F(RoomTest, KickBansTheUserAndMuteFollowsTheUser) {
    RoomSettings settings = Settings();
    settings.kick_ban = 10min;
    Room room(settings);
    int n = 0;
    auto join = [&](JoinOptions options) -> absl::StatusOr<std::string> {
        ++n;
        std::string id = "k" + std::to_string(n);
        auto seat = room.ReserveSeat(options, id, "t" + id, now_);
        if (!seat.ok()) {
            return seat.status();
        }
        room.Connect(n, "room1", id, std::nullopt, now_);
        room.OnFrame(n, ClientAck{}, now_);
        return id;
    };
    JoinOptions verified{"u1", "Mallory", "u1", "10.0.0.1"};
    JoinOptions anonymous{"p2", "Eve", "", "10.0.0.2"};
    auto m1 = join(verified);
    auto e1 = join(anonymous);
    ASSERT_TRUE(m1.ok() && e1.ok());
    // Muted in one session, still muted in the next one.
    ASSERT_TRUE(room.Mute(*e1, true).ok());
    ASSERT_TRUE(room.OnFrame(n, ClientLeave{}, now_).size() == 1u);
    auto e2 = join(anonymous);
    ASSERT_TRUE(e2.ok());
    EXPECT_TRUE(room.OnFrame(n, ClientChat{"back"}, now_).empty());
    EXPECT_EQ(room.Stats().dropped_muted, 1u);
    ASSERT_TRUE(room.Mute(*e2, false).ok());
    EXPECT_FALSE(room.OnFrame(n, ClientChat{"unmuted"}, now_).empty());
    // Kicked: the verified user by id (from any address), the anonymous one by address.
    ASSERT_TRUE(room.Kick(*m1, now_).ok());
    ASSERT_TRUE(room.Kick(*e2, now_).ok());
    EXPECT_THAT(join(verified), StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(
        join({"u1", "Mallory", "u1", "10.9.9.9"}), StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(join(anonymous), StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_TRUE(join({"p3", "Carol", "", "10.0.0.3"}).ok());  // others are not affected
    EXPECT_EQ(room.Stats().refused_banned, 3u);
    now_ += 10min;
    room.Tick(now_);
    EXPECT_TRUE(join(verified).ok());
    EXPECT_TRUE(join(anonymous).ok());
}

TEST_F(RoomTest, KickMuteAndCloseAll) {
    std::string a = Join(1, "player-a", "Alice");
    std::string b = Join(2, "player-b", "Bob");
    ASSERT_TRUE(room_.Mute(b, true).ok());
    EXPECT_TRUE(Chat(2, "shh").empty());
    EXPECT_EQ(room_.Stats().dropped_muted, 1u);
    auto kicked = room_.Kick(a, now_);
    ASSERT_TRUE(kicked.ok());
    EXPECT_EQ(std::get<CloseConnection>((*kicked)[0]).to, 1u);
    EXPECT_THAT(room_.Kick(a, now_), StatusIs(absl::StatusCode::kNotFound));
    Effects all = room_.CloseAll();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(std::get<CloseConnection>(all[0]).code, kCloseConsented);
    EXPECT_EQ(room_.Clients(), 0u);
}

TEST(Utf8Length, CountsCodePointsAndRefusesInvalidText) {
    EXPECT_EQ(Utf8Length("abc"), 3u);
    EXPECT_EQ(Utf8Length("하통수"), 3u);
    EXPECT_EQ(Utf8Length("\xf0\x9f\x98\x80"), 1u);
    EXPECT_FALSE(Utf8Length("\xed\xa0\x80"));  // a surrogate
    EXPECT_FALSE(Utf8Length("\xe3\x81"));      // truncated
    EXPECT_FALSE(Utf8Length("\xf5\x80\x80\x80"));
}

}  // namespace
}  // namespace hatongsu::event
