// The game of the original world server as a plain state machine (no sockets, no threads, no
// clock of its own): peers join, move, animate and leave; the world answers with effects (sends
// and closes) for the adapters to carry out. Beyond the original: every update is validated and
// rate-limited per peer (dropped and counted otherwise); position updates are coalesced (the
// latest per player is kept and relayed by Tick, at the tick rate); each peer receives at most
// its relay budget of positions a second (see Tick); a capacity; one-shot facts go reliable. Not
// thread-safe (usecase/game.h holds the lock).
//
//   World world(settings);
//   Effects e = world.Join("peer-1", now, {.u = 0.3, .v = 0.7});
//   e = world.Handle("peer-1", PlayerUpdate{...}, now);  // stored, relayed on the next Tick(now)
//   e = world.Tick(now);
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "hatongsu/core/token_bucket.h"
#include "services/world/domain/messages.h"
#include "services/world/domain/spawn.h"
#include "services/world/domain/validation.h"

namespace hatongsu::world {

struct WorldSettings {
    ValidationRules rules = {};  // bounds and the quaternion tolerance
    SpawnRule spawn = {};
    std::size_t capacity = 100;
    // Updates (position and animation) per peer.
    core::TokenBucket::Limits rate{.per_second = 60, .burst = 60};
    // Positions relayed to each peer: 50 players moving at 20 Hz fit in 1,000 a second; more
    // players are each refreshed less often (never later). The burst is what a quiet moment
    // saves: two ticks' worth (at 100 Hz), so no tick sends a peer a backlog that delays the
    // peers served after it.
    core::TokenBucket::Limits relay{.per_second = 1000, .burst = 20};
    // A player with no position for this long has stopped: its last position is final, so it is
    // sent even though it is not fresh (and, between players waited for as long, first).
    std::chrono::milliseconds settle{100};
};

struct WorldStats {
    std::size_t players = 0;
    std::uint64_t joined = 0;
    std::uint64_t refused_full = 0;
    std::uint64_t updates_relayed = 0;    // serverPlayerUpdate messages produced (per recipient)
    std::uint64_t updates_coalesced = 0;  // updates replaced by a newer one before the tick
    std::uint64_t updates_deferred = 0;   // positions a spent relay budget held back, per tick
    std::map<DropReason, std::uint64_t> dropped;
};

class World final {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    explicit World(WorldSettings settings) : settings_(std::move(settings)) {}

    // A peer's channel opened: it spawns at a safe point and learns about everyone (serverNewPlayer
    // then serverExistingPlayers, both reliable, to it; serverNewPlayer, reliable, to the others).
    // When the world is full it gets {"disconnected":null} and is closed. A peer that is already a
    // player gets nothing new.
    Effects Join(const PeerId& peer, TimePoint now, SpawnDraw draw);
    // A decoded message: validated and rate-limited, then stored (positions, relayed by Tick) or
    // relayed at once (animations, to the others).
    Effects Handle(const PeerId& peer, const ClientMessage& message, TimePoint now);
    // A message the adapter could not decode, or a reliable duplicate: only counted.
    void CountDrop(DropReason reason) { ++stats_.dropped[reason]; }
    // The peer is gone (closed by either side): serverPlayerDisconnected (reliable) to everyone
    // left. Nothing for a peer that never joined.
    Effects Leave(const PeerId& peer);
    // Server-side close of one player: {"disconnected":null} and a close for it, then Leave.
    Effects Kick(const PeerId& peer);
    // The coalesced positions: one serverPlayerUpdate per player that moved since the last tick,
    // to every other player, as far as each recipient's relay budget goes. Past its budget, a
    // recipient gets, among the players that stopped (their final position) and those that moved
    // since the last tick (a position a tick old from a player still moving is soon replaced),
    // the ones it has waited longest for first; the rest wait for a later tick. So with more
    // movers than the budget allows, each is refreshed in turn, less often, never with an old
    // position. The bookkeeping is two numbers per pair of players (16 bytes x N^2).
    Effects Tick(TimePoint now);
    // Shutdown: {"disconnected":null} and a close for every player; the world is empty after.
    Effects DisconnectAll();

    bool Has(const PeerId& peer) const { return players_.contains(peer); }
    std::optional<Player> Find(const PeerId& peer) const;
    std::size_t Size() const { return players_.size(); }
    const WorldStats& Stats() const;
    const WorldSettings& Settings() const { return settings_; }

private:
    struct State {
        Player player;
        core::TokenBucket bucket;
        core::TokenBucket relay;    // positions this player may be sent
        std::uint64_t version = 0;  // bumps with every position it sends
        TimePoint moved_at{};       // when it sent the latest
        bool moved = false;         // since the last tick
        // Per player in order_ (same index): the version of its position this player has, and
        // the tick it got it on.
        std::vector<std::uint64_t> seen;
        std::vector<std::uint64_t> seen_tick;
    };

    std::vector<PeerId> Others(const PeerId& peer) const;
    std::vector<Player> PlayersInOrder() const;
    // The position relay of Tick for the recipient at order_[r].
    void RelayTo(std::size_t r, TimePoint now, std::vector<std::vector<PeerId>>& to);

    const WorldSettings settings_;
    std::map<PeerId, State> players_;
    std::vector<State*> order_;  // by arrival: the order of every listing (map nodes stay put)
    std::vector<std::size_t> candidates_;  // RelayTo's scratch
    std::uint64_t ticks_ = 0;
    bool moved_since_tick_ = false;  // some player sent a position since the last tick
    bool held_back_ = false;         // the last tick left positions for later
    mutable WorldStats stats_;
};

}  // namespace hatongsu::world
