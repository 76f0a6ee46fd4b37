// The game's flows end to end inside the process: signaling + game + the geckos layer on the fake
// transport (join, update, animation, leave; the reliable wrapper on one-shot events and its
// copies; inbound dedupe; capacity; slow peers; shutdown).
#include <gtest/gtest.h>

#include "services/world/tests/world_harness.h"

namespace hatongsu::world {
namespace {

using namespace std::chrono_literals;
using testing_fakes::Decode;
using testing_fakes::DecodeAll;
using testing_fakes::Received;
using testing_fakes::WorldHarness;

std::string Update(double x, double z) {
    return R"({"clientPlayerUpdate":{"position":{"x":)" + std::to_string(x) + R"(,"y":0,"z":)" +
           std::to_string(z) + R"(},"rotation":{"x":0,"y":0,"z":0,"w":1}}})";
}

TEST(GameFlow, AJoinerGetsItselfAndEveryoneReliablyAndTheOthersGetIt) {
    WorldHarness h;
    std::string a = h.Join();
    auto got = DecodeAll(h.transport.TakeSent(a));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].event, "serverNewPlayer");
    EXPECT_EQ(got[0].data.at("playerId").as_string(), a);
    EXPECT_EQ(got[0].reliable_id.size(), 24u);
    EXPECT_EQ(got[1].event, "serverExistingPlayers");
    EXPECT_EQ(got[1].data.as_array().size(), 1u);
    EXPECT_EQ(got[1].reliable_id.size(), 24u);
    EXPECT_NE(got[0].reliable_id, got[1].reliable_id);

    std::string b = h.Join();
    auto to_b = DecodeAll(h.transport.TakeSent(b));
    ASSERT_EQ(to_b.size(), 2u);
    EXPECT_EQ(to_b[1].data.as_array().at(0).at("playerId").as_string(), a);
    EXPECT_EQ(to_b[1].data.as_array().at(1).at("playerId").as_string(), b);
    auto to_a = DecodeAll(h.transport.TakeSent(a));
    ASSERT_EQ(to_a.size(), 1u);
    EXPECT_EQ(to_a[0].event, "serverNewPlayer");
    EXPECT_EQ(to_a[0].data.at("playerId").as_string(), b);
    EXPECT_FALSE(to_a[0].reliable_id.empty());
    EXPECT_EQ(h.game.Players(), 2u);
}

TEST(GameFlow, ReliableMessagesAreSentRunsTimesWithOneIdEveryInterval) {
    WorldHarness h({.reliable = {.runs = 3, .interval = 150ms}});
    std::string a = h.Join();
    EXPECT_EQ(h.transport.Sent(a).size(), 2u);
    h.clock.Advance(100ms);
    h.Tick();
    EXPECT_EQ(h.transport.Sent(a).size(), 2u);  // not due yet
    h.clock.Advance(50ms);
    h.Tick();
    EXPECT_EQ(h.transport.Sent(a).size(), 4u);
    h.clock.Advance(150ms);
    h.Tick();
    h.clock.Advance(150ms);
    h.Tick();
    auto all = h.transport.Sent(a);
    ASSERT_EQ(all.size(), 6u);  // 2 messages × 3 runs, then no more
    EXPECT_EQ(all[0], all[2]);
    EXPECT_EQ(all[0], all[4]);
    EXPECT_EQ(all[1], all[3]);
    EXPECT_EQ(h.channels.Scheduled(), 0u);
}

TEST(GameFlow, PositionsReachTheOthersOnTheTickCoalesced) {
    WorldHarness h;
    std::string a = h.Join();
    std::string b = h.Join();
    std::string c = h.Join();
    for (const auto& p : {a, b, c}) {
        h.transport.TakeSent(p);
    }
    h.transport.Receive(a, Update(1, 1));
    h.transport.Receive(a, Update(2, 2));
    h.transport.Deliver();
    EXPECT_TRUE(h.transport.Sent(b).empty());  // not before the tick
    h.Tick();
    for (const auto& p : {b, c}) {
        auto got = DecodeAll(h.transport.TakeSent(p));
        ASSERT_EQ(got.size(), 1u) << p;
        EXPECT_EQ(got[0].event, "serverPlayerUpdate");
        EXPECT_TRUE(got[0].reliable_id.empty());
        EXPECT_EQ(got[0].data.at("playerId").as_string(), a);
        EXPECT_EQ(got[0].data.at("transform").at("position").at("x").to_number<double>(), 2.0);
    }
    EXPECT_TRUE(h.transport.Sent(a).empty());  // never to the sender
}

TEST(GameFlow, AnimationsReachTheOthersAtOnceWithTheSendersId) {
    WorldHarness h;
    std::string a = h.Join();
    std::string b = h.Join();
    h.transport.TakeSent(a);
    h.transport.TakeSent(b);
    // The client's playerId field is not trusted: the channel's id is.
    h.transport.Receive(b, R"({"clientAnimationUpdate":{"playerId":"someoneElse","state":1}})");
    h.transport.Deliver();
    auto got = DecodeAll(h.transport.TakeSent(a));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].event, "serverPlayerAnimation");
    EXPECT_EQ(got[0].data.at("playerId").as_string(), b);
    EXPECT_EQ(got[0].data.at("state").as_int64(), 1);
    EXPECT_TRUE(h.transport.Sent(b).empty());
}

TEST(GameFlow, ALeaverIsAnnouncedReliablyToEveryoneLeft) {
    WorldHarness h;
    std::string a = h.Join();
    std::string b = h.Join();
    h.transport.TakeSent(a);
    h.transport.ClientClose(b);
    h.transport.Deliver();
    auto got = DecodeAll(h.transport.TakeSent(a));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].event, "serverPlayerDisconnected");
    EXPECT_EQ(got[0].data.as_string(), b);
    EXPECT_FALSE(got[0].reliable_id.empty());
    EXPECT_EQ(h.game.Players(), 1u);
    EXPECT_FALSE(h.signaling.Known(b));
    // Route E for a player: closed by the server, then announced the same way.
    std::string c = h.Join();
    h.transport.TakeSent(a);
    EXPECT_TRUE(h.signaling.Close(c));
    h.transport.Deliver();
    got = DecodeAll(h.transport.TakeSent(a));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].data.as_string(), c);
}

TEST(GameFlow, InboundReliableCopiesAreDeliveredOnce) {
    WorldHarness h;
    std::string a = h.Join();
    std::string b = h.Join();
    h.transport.TakeSent(a);
    const std::string copy =
        R"({"clientAnimationUpdate":{"MESSAGE":{"state":2},"RELIABLE":1,"ID":"RRRRRRRRRRRRRRRRRRRRRRR1"}})";
    for (int i = 0; i < 5; ++i) {
        h.transport.Receive(b, copy);
    }
    h.transport.Deliver();
    EXPECT_EQ(h.transport.TakeSent(a).size(), 1u);
    EXPECT_EQ(h.game.Stats().dropped.at(DropReason::kDuplicate), 4u);
    // After the 15 s window the same ID is new again.
    h.clock.Advance(16s);
    h.transport.Receive(b, copy);
    h.transport.Deliver();
    EXPECT_EQ(h.transport.TakeSent(a).size(), 1u);
}

TEST(GameFlow, BadMessagesAreDroppedAndCounted) {
    WorldHarness h;
    std::string a = h.Join();
    std::string b = h.Join();
    h.transport.TakeSent(a);
    h.transport.Receive(b, "not json");
    h.transport.Receive(b, "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}");
    h.transport.Receive(
        b,
        R"({"clientPlayerUpdate":{"position":{"x":1e400,"y":0,"z":0},"rotation":{"x":0,"y":0,"z":0,"w":1}}})");
    h.transport.Receive(b, R"({"a":1})", true);
    h.transport.Receive(b, R"({"chat":"hi"})");
    h.transport.Receive(
        b,
        R"({"clientPlayerUpdate":{"position":{"x":500,"y":0,"z":0},"rotation":{"x":0,"y":0,"z":0,"w":1}}})");
    h.transport.Deliver();
    h.Tick();
    EXPECT_TRUE(h.transport.Sent(a).empty());
    WorldStats s = h.game.Stats();
    EXPECT_EQ(s.dropped.at(DropReason::kMalformed), 4u);
    EXPECT_EQ(s.dropped.at(DropReason::kUnknownEvent), 1u);
    EXPECT_EQ(s.dropped.at(DropReason::kInvalid), 1u);
}

TEST(GameFlow, OverCapacityTheNewcomerIsToldAndClosed) {
    WorldHarness h({.world = {.capacity = 1}, .signaling = {.capacity = 10}});
    std::string a = h.Join();
    std::string b = h.Join();
    EXPECT_EQ(h.transport.Sent(b), std::vector<std::string>{R"({"disconnected":null})"});
    EXPECT_FALSE(h.transport.Exists(b));
    EXPECT_FALSE(h.signaling.Known(b));
    EXPECT_EQ(h.game.Players(), 1u);
    h.transport.TakeSent(a);
    EXPECT_TRUE(h.transport.Sent(a).empty());  // a never heard of b
}

TEST(GameFlow, ASlowPeerLosesUpdatesAndNothingQueuesUp) {
    WorldHarness h({.reliable = {.runs = 10, .interval = 150ms, .max_scheduled_per_peer = 4}});
    std::string a = h.Join();
    std::string b = h.Join();
    h.transport.SetFull(b);
    for (int i = 0; i < 100; ++i) {
        h.transport.Receive(a, Update(i % 10, 0));
        h.transport.Deliver();
        h.clock.Advance(50ms);
        h.Tick();
    }
    for (int i = 0; i < 20; ++i) {  // one-shot events for b pile up only to the bound
        std::string c = h.Join();
        h.transport.ClientClose(c);
        h.transport.Deliver();
    }
    EXPECT_LE(h.channels.Scheduled(), 4u + 4u);
    EXPECT_GT(h.channels.Stats().refused, 100u);
    EXPECT_EQ(h.game.Players(), 2u);
}

TEST(GameFlow, ShutdownSendsDisconnectedToEveryoneAndClosesThem) {
    WorldHarness h;
    std::string a = h.Join();
    std::string b = h.Join();
    h.transport.TakeSent(a);
    h.transport.TakeSent(b);
    h.game.DisconnectAll();
    h.transport.Deliver();
    EXPECT_EQ(h.transport.Sent(a), std::vector<std::string>{R"({"disconnected":null})"});
    EXPECT_EQ(h.transport.Sent(b), std::vector<std::string>{R"({"disconnected":null})"});
    EXPECT_EQ(h.transport.PeerCount(), 0u);
    EXPECT_EQ(h.signaling.Connections(), 0u);
    EXPECT_EQ(h.game.Players(), 0u);
}

}  // namespace
}  // namespace hatongsu::world
