// The world as a state machine: join/leave effects, validation, rate limit, coalescing, capacity.
#include "services/world/domain/world.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include <gtest/gtest.h>

namespace hatongsu::world {
namespace {

using namespace std::chrono_literals;
const World::TimePoint kT0{std::chrono::seconds(1'800'000'000)};

Transform At(double x, double z) {
    return Transform{{x, 0, z}, {0, 0, 0, 1}};
}

// The sends of `effects` as (recipients, message) pairs, for readable assertions.
std::vector<Send> Sends(const Effects& effects) {
    std::vector<Send> out;
    for (const Effect& e : effects) {
        if (const auto* s = std::get_if<Send>(&e)) {
            out.push_back(*s);
        }
    }
    return out;
}

std::vector<PeerId> Closes(const Effects& effects) {
    std::vector<PeerId> out;
    for (const Effect& e : effects) {
        if (const auto* c = std::get_if<ClosePeer>(&e)) {
            out.push_back(c->peer);
        }
    }
    return out;
}

TEST(World, JoinSendsNewPlayerAndExistingPlayersToSelfAndNewPlayerToOthers) {
    World world({});
    Effects first = world.Join("A", kT0, {});
    auto s = Sends(first);
    ASSERT_EQ(s.size(), 2u);  // nobody else yet
    EXPECT_EQ(s[0].to, std::vector<PeerId>{"A"});
    EXPECT_TRUE(s[0].reliable);
    Player a = std::get<NewPlayer>(s[0].message).player;
    EXPECT_EQ(a.id, "A");
    EXPECT_EQ(a.transform.position, (Vec3{0, 0, 0}));
    EXPECT_EQ(std::get<ExistingPlayers>(s[1].message).players, std::vector<Player>{a});

    s = Sends(world.Join("B", kT0, {}));
    ASSERT_EQ(s.size(), 3u);
    Player b = std::get<NewPlayer>(s[0].message).player;
    EXPECT_EQ(s[0].to, std::vector<PeerId>{"B"});
    EXPECT_GE(std::hypot(b.transform.position.x, b.transform.position.z), 2.0);  // safe spawn
    EXPECT_EQ(s[1].to, std::vector<PeerId>{"B"});
    EXPECT_EQ(std::get<ExistingPlayers>(s[1].message).players, (std::vector<Player>{a, b}));
    EXPECT_TRUE(s[1].reliable);
    EXPECT_EQ(s[2].to, std::vector<PeerId>{"A"});
    EXPECT_EQ(std::get<NewPlayer>(s[2].message).player, b);
    EXPECT_TRUE(s[2].reliable);

    EXPECT_TRUE(world.Join("B", kT0, {}).empty());  // opened twice: nothing new
    EXPECT_EQ(world.Size(), 2u);
}

TEST(World, LeaveTellsEveryoneLeftReliably) {
    World world({});
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    world.Join("C", kT0, {});
    auto s = Sends(world.Leave("B"));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].to, (std::vector<PeerId>{"A", "C"}));
    EXPECT_EQ(std::get<PlayerDisconnected>(s[0].message).player_id, "B");
    EXPECT_TRUE(s[0].reliable);
    EXPECT_TRUE(world.Leave("B").empty());      // twice
    EXPECT_TRUE(world.Leave("never").empty());  // never joined
    EXPECT_EQ(world.Size(), 2u);
}

TEST(World, PositionUpdatesAreCoalescedAndRelayedOnTheTick) {
    World world({});
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    world.Join("C", kT0, {});
    EXPECT_TRUE(world.Handle("A", PlayerUpdate{At(1, 1)}, kT0).empty());  // nothing at once
    EXPECT_TRUE(world.Handle("A", PlayerUpdate{At(2, 2)}, kT0).empty());
    EXPECT_TRUE(world.Handle("A", PlayerUpdate{At(3, 3)}, kT0).empty());
    auto s = Sends(world.Tick(kT0));
    ASSERT_EQ(s.size(), 1u);  // only the latest of A's three updates
    EXPECT_EQ(s[0].to, (std::vector<PeerId>{"B", "C"}));
    EXPECT_FALSE(s[0].reliable);
    const auto& moved = std::get<PlayerMoved>(s[0].message);
    EXPECT_EQ(moved.player_id, "A");
    EXPECT_EQ(moved.transform, At(3, 3));
    EXPECT_EQ(world.Stats().updates_coalesced, 2u);
    EXPECT_EQ(world.Stats().updates_relayed, 2u);
    EXPECT_TRUE(world.Tick(kT0).empty());  // nothing new
    EXPECT_EQ(world.Find("A")->transform, At(3, 3));
    // A newcomer learns the stored position.
    auto join = Sends(world.Join("D", kT0, {}));
    EXPECT_EQ(std::get<ExistingPlayers>(join[1].message).players[0].transform, At(3, 3));
}

// Who got player `mover`'s position in these sends (empty: nobody).
std::vector<PeerId> RecipientsOf(const std::vector<Send>& sends, const PeerId& mover) {
    for (const Send& s : sends) {
        if (const auto* moved = std::get_if<PlayerMoved>(&s.message);
            moved != nullptr && moved->player_id == mover) {
            return s.to;
        }
    }
    return {};
}

bool Got(const std::vector<Send>& sends, const PeerId& mover, const PeerId& recipient) {
    const std::vector<PeerId> to = RecipientsOf(sends, mover);
    return std::find(to.begin(), to.end(), recipient) != to.end();
}

TEST(World, ARecipientPastItsRelayBudgetGetsTheLongestWaitedForPlayersFirst) {
    WorldSettings settings;
    settings.relay = {.per_second = 20, .burst = 2};
    World world(settings);
    for (const char* p : {"A", "B", "C", "D"}) {
        world.Join(p, kT0, {});
    }
    auto move = [&](std::vector<PeerId> movers, World::TimePoint at, double x) {
        for (const PeerId& p : movers) {
            world.Handle(p, PlayerUpdate{At(x, 0)}, at);
        }
    };
    // B, C and D move: A may take two (B and C, in arrival order); the others get both of theirs.
    move({"B", "C", "D"}, kT0 + 10ms, 1);
    auto s = Sends(world.Tick(kT0 + 10ms));
    EXPECT_TRUE(Got(s, "B", "A"));
    EXPECT_TRUE(Got(s, "C", "A"));
    EXPECT_FALSE(Got(s, "D", "A"));
    EXPECT_EQ(RecipientsOf(s, "D"), (std::vector<PeerId>{"B", "C"}));
    EXPECT_EQ(world.Stats().updates_deferred, 1u);
    EXPECT_EQ(world.Stats().updates_relayed, 8u);
    // 50 ms later A has one more: D, whom it waited for longest, with D's latest position.
    move({"B", "C", "D"}, kT0 + 60ms, 2);
    s = Sends(world.Tick(kT0 + 60ms));
    EXPECT_TRUE(Got(s, "D", "A"));
    EXPECT_FALSE(Got(s, "B", "A"));
    EXPECT_FALSE(Got(s, "C", "A"));
    for (const Send& send : s) {
        EXPECT_EQ(std::get<PlayerMoved>(send.message).transform, At(2, 0));
    }
    // B stops; C and D go on. Once B has been still for WorldSettings::settle, its last position
    // is a candidate again: B and C have waited longest (since the first tick); D waits.
    EXPECT_TRUE(world.Tick(kT0 + 110ms).empty());  // B and C's 60 ms positions: a tick old
    move({"C", "D"}, kT0 + 160ms, 3);
    s = Sends(world.Tick(kT0 + 160ms));
    EXPECT_TRUE(Got(s, "B", "A"));
    EXPECT_TRUE(Got(s, "C", "A"));
    EXPECT_FALSE(Got(s, "D", "A"));
}

TEST(World, UnderABudgetEveryMoverGetsItsTurnAndLeaversAndNewcomersFitIn) {
    WorldSettings settings;
    settings.relay = {.per_second = 150, .burst = 1};  // one position every 10 ms tick
    World world(settings);
    for (const char* p : {"A", "B", "C", "D"}) {
        world.Join(p, kT0, {});
    }
    std::map<PeerId, int> got;
    auto t = kT0;
    for (int tick = 0; tick < 30; ++tick) {
        t += 10ms;
        for (const char* p : {"B", "C", "D"}) {
            world.Handle(p, PlayerUpdate{At(tick, 0)}, t);
        }
        for (const Send& send : Sends(world.Tick(t))) {
            const auto& moved = std::get<PlayerMoved>(send.message);
            EXPECT_EQ(moved.transform, At(tick, 0));  // never an old position
            if (std::find(send.to.begin(), send.to.end(), "A") != send.to.end()) {
                ++got[moved.player_id];
            }
        }
    }
    EXPECT_EQ(got, (std::map<PeerId, int>{{"B", 10}, {"C", 10}, {"D", 10}}));
    // C leaves, E comes: A's turns go to B, D and E.
    world.Leave("C");
    world.Join("E", t, {});
    got.clear();
    for (int tick = 0; tick < 30; ++tick) {
        t += 10ms;
        for (const char* p : {"B", "D", "E"}) {
            world.Handle(p, PlayerUpdate{At(tick, 1)}, t);
        }
        for (const Send& send : Sends(world.Tick(t))) {
            const auto& moved = std::get<PlayerMoved>(send.message);
            if (std::find(send.to.begin(), send.to.end(), "A") != send.to.end()) {
                ++got[moved.player_id];
            }
        }
    }
    EXPECT_EQ(got, (std::map<PeerId, int>{{"B", 10}, {"D", 10}, {"E", 10}}));
}

// Players that move in short hops (each hop's last position becomes a stopped player's final
// one) leave a player who moves all the time its share of the turns.
TEST(World, AMoverAmongPlayersWhoHopGetsItsShareOfTheTurns) {
    WorldSettings settings;
    settings.relay = {.per_second = 250, .burst = 2};  // two positions every 10 ms tick
    settings.capacity = 30;
    World world(settings);
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    std::vector<PeerId> hoppers;  // 24 hops every 110 ms: more stopped positions than A's budget
    for (int k = 0; k < 24; ++k) {
        hoppers.push_back("P" + std::to_string(k));
        world.Join(hoppers.back(), kT0, {});
    }
    int b_to_a = 0;
    auto t = kT0;
    for (int tick = 0; tick < 88; ++tick) {
        t += 10ms;
        world.Handle("B", PlayerUpdate{At(tick, 0)}, t);
        for (int k = 0; k < 24; ++k) {
            if ((tick + k) % 11 == 0) {  // one hop every 110 ms, then still
                world.Handle(hoppers[static_cast<std::size_t>(k)], PlayerUpdate{At(tick, 1)}, t);
            }
        }
        if (Got(Sends(world.Tick(t)), "B", "A") && tick >= 22) {  // once the hops pile up
            ++b_to_a;
        }
    }
    EXPECT_GE(b_to_a, 3);  // its share of A's last 132 positions among 25 movers is about 5
}

TEST(World, AnimationIsRelayedAtOnceToOthersWithTheSendersId) {
    World world({});
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    auto s = Sends(world.Handle("B", AnimationUpdate{2}, kT0));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].to, std::vector<PeerId>{"A"});
    EXPECT_EQ(std::get<PlayerAnimation>(s[0].message).player_id, "B");
    EXPECT_EQ(std::get<PlayerAnimation>(s[0].message).state, 2);
    EXPECT_EQ(world.Find("B")->animation, 2);
}

TEST(World, InvalidUpdatesAreDroppedAndCounted) {
    World world({});
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<Transform> bad = {
        {{nan, 0, 0}, {0, 0, 0, 1}},        // not finite
        {{0, inf, 0}, {0, 0, 0, 1}},        // not finite
        {{1e300, 0, 0}, {0, 0, 0, 1}},      // huge: outside the world
        {{101, 0, 0}, {0, 0, 0, 1}},        // just outside the default bounds
        {{0, 0, 0}, {0, 0, 0, 0}},          // zero quaternion
        {{0, 0, 0}, {0, 0, 0, 2}},          // not unit length
        {{0, 0, 0}, {1e200, 1e200, 0, 0}},  // huge components
        {{0, 0, 0}, {0, 0, 0, nan}},        // not finite
    };
    for (const Transform& t : bad) {
        EXPECT_TRUE(world.Handle("A", PlayerUpdate{t}, kT0).empty());
    }
    for (int state : {-1, 4, 1000}) {
        EXPECT_TRUE(world.Handle("A", AnimationUpdate{state}, kT0).empty());
    }
    EXPECT_EQ(world.Stats().dropped.at(DropReason::kInvalid), bad.size() + 3);
    EXPECT_TRUE(world.Tick(kT0).empty());
    EXPECT_EQ(world.Find("A")->transform.position, (Vec3{0, 0, 0}));
    // Near-unit rotations pass (the client's floats are rounded).
    world.Handle("A", PlayerUpdate{{{2.4, 0, -0.3}, {0, 0.68, 0, 0.73}}}, kT0);
    EXPECT_EQ(Sends(world.Tick(kT0)).size(), 1u);
}

TEST(World, UpdatesOverTheRateAreDroppedAndTheBucketRefills) {
    WorldSettings settings;
    settings.rate = {.per_second = 60, .burst = 60};
    World world(settings);
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    int relayed_animations = 0;
    for (int i = 0; i < 100; ++i) {
        relayed_animations +=
            static_cast<int>(Sends(world.Handle("A", AnimationUpdate{i % 4}, kT0)).size());
    }
    EXPECT_EQ(relayed_animations, 60);
    EXPECT_EQ(world.Stats().dropped.at(DropReason::kRateLimited), 40u);
    // Position updates share the budget.
    world.Handle("A", PlayerUpdate{At(1, 0)}, kT0);
    EXPECT_EQ(world.Stats().dropped.at(DropReason::kRateLimited), 41u);
    // A second later the bucket is full again; B was never limited.
    world.Handle("A", PlayerUpdate{At(1, 0)}, kT0 + 1s);
    world.Handle("B", PlayerUpdate{At(-1, 0)}, kT0);
    EXPECT_EQ(Sends(world.Tick(kT0)).size(), 2u);
}

TEST(World, UpdatesFromPeersThatAreNotPlayersAreDropped) {
    World world({});
    EXPECT_TRUE(world.Handle("ghost", PlayerUpdate{At(0, 0)}, kT0).empty());
    EXPECT_EQ(world.Stats().dropped.at(DropReason::kNotJoined), 1u);
}

TEST(World, AFullWorldSendsDisconnectedAndClosesTheNewcomer) {
    WorldSettings settings;
    settings.capacity = 2;
    World world(settings);
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    Effects e = world.Join("C", kT0, {});
    auto s = Sends(e);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].to, std::vector<PeerId>{"C"});
    EXPECT_TRUE(std::holds_alternative<Disconnect>(s[0].message));
    EXPECT_EQ(Closes(e), std::vector<PeerId>{"C"});
    EXPECT_FALSE(world.Has("C"));
    EXPECT_EQ(world.Stats().refused_full, 1u);
    world.Leave("A");
    EXPECT_EQ(Sends(world.Join("C", kT0, {})).size(), 3u);  // room again
}

TEST(World, KickSendsDisconnectedClosesAndTellsTheOthers) {
    World world({});
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    Effects e = world.Kick("A");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_TRUE(std::holds_alternative<Disconnect>(std::get<Send>(e[0]).message));
    EXPECT_EQ(std::get<Send>(e[0]).to, std::vector<PeerId>{"A"});
    EXPECT_EQ(std::get<ClosePeer>(e[1]).peer, "A");
    EXPECT_EQ(std::get<PlayerDisconnected>(std::get<Send>(e[2]).message).player_id, "A");
    EXPECT_EQ(std::get<Send>(e[2]).to, std::vector<PeerId>{"B"});
}

TEST(World, DisconnectAllSendsDisconnectedToEveryoneThenClosesThem) {
    World world({});
    world.Join("A", kT0, {});
    world.Join("B", kT0, {});
    world.Handle("A", PlayerUpdate{At(1, 1)}, kT0);
    Effects e = world.DisconnectAll();
    auto s = Sends(e);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].to, (std::vector<PeerId>{"A", "B"}));
    EXPECT_TRUE(std::holds_alternative<Disconnect>(s[0].message));
    EXPECT_EQ(Closes(e), (std::vector<PeerId>{"A", "B"}));
    EXPECT_EQ(world.Size(), 0u);
    EXPECT_TRUE(world.Tick(kT0).empty());
}

}  // namespace
}  // namespace hatongsu::world
