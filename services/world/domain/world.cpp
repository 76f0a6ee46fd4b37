#include "services/world/domain/world.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "hatongsu/core/overloaded.h"

namespace hatongsu::world {

std::vector<PeerId> World::Others(const PeerId& peer) const {
    std::vector<PeerId> out;
    for (const Player& p : PlayersInOrder()) {
        if (p.id != peer) {
            out.push_back(p.id);
        }
    }
    return out;
}

std::vector<Player> World::PlayersInOrder() const {
    std::vector<Player> out;
    out.reserve(order_.size());
    for (const State* s : order_) {
        out.push_back(s->player);
    }
    return out;
}

Effects World::Join(const PeerId& peer, TimePoint now, SpawnDraw draw) {
    Effects effects;
    if (players_.contains(peer)) {
        return effects;
    }
    if (players_.size() >= settings_.capacity) {
        ++stats_.refused_full;
        effects.push_back(Send{{peer}, Disconnect{}, false});
        effects.push_back(ClosePeer{peer});
        return effects;
    }
    std::vector<Vec3> occupied;
    occupied.reserve(players_.size());
    for (const auto& [id, state] : players_) {
        occupied.push_back(state.player.transform.position);
    }
    Player me{
        .id = peer,
        .transform =
            {SpawnPoint(occupied, settings_.spawn, settings_.rules.bounds, draw), SpawnRotation()},
        .animation = 0};
    State& state = players_[peer];
    state.player = me;
    state.bucket = core::TokenBucket(settings_.rate, now);
    state.relay = core::TokenBucket(settings_.relay, now);
    // The newcomer learns everyone's current position from serverExistingPlayers, and everyone
    // its spawn from serverNewPlayer: both sides are up to date.
    for (State* other : order_) {
        other->seen.push_back(state.version);
        other->seen_tick.push_back(ticks_);
        state.seen.push_back(other->version);
        state.seen_tick.push_back(ticks_);
    }
    order_.push_back(&state);
    state.seen.push_back(state.version);
    state.seen_tick.push_back(ticks_);
    ++stats_.joined;
    effects.push_back(Send{{peer}, NewPlayer{me}, true});
    effects.push_back(Send{{peer}, ExistingPlayers{PlayersInOrder()}, true});
    std::vector<PeerId> others = Others(peer);
    if (!others.empty()) {
        effects.push_back(Send{std::move(others), NewPlayer{me}, true});
    }
    return effects;
}

Effects World::Handle(const PeerId& peer, const ClientMessage& message, TimePoint now) {
    Effects effects;
    auto it = players_.find(peer);
    if (it == players_.end()) {
        CountDrop(DropReason::kNotJoined);
        return effects;
    }
    State& state = it->second;
    std::visit(
        core::Overloaded{
            [&](const PlayerUpdate& u) {
                if (!ValidateTransform(u.transform, settings_.rules).ok()) {
                    CountDrop(DropReason::kInvalid);
                    return;
                }
                if (!state.bucket.Take(now)) {
                    CountDrop(DropReason::kRateLimited);
                    return;
                }
                state.player.transform = u.transform;
                ++state.version;
                state.moved_at = now;
                moved_since_tick_ = true;
                if (std::exchange(state.moved, true)) {
                    ++stats_.updates_coalesced;
                }
            },
            [&](const AnimationUpdate& a) {
                if (!ValidateAnimationState(a.state).ok()) {
                    CountDrop(DropReason::kInvalid);
                    return;
                }
                if (!state.bucket.Take(now)) {
                    CountDrop(DropReason::kRateLimited);
                    return;
                }
                state.player.animation = a.state;
                std::vector<PeerId> others = Others(peer);
                if (!others.empty()) {
                    effects.push_back(
                        Send{std::move(others), PlayerAnimation{peer, a.state}, false});
                }
            },
        },
        message);
    return effects;
}

Effects World::Leave(const PeerId& peer) {
    Effects effects;
    auto it = players_.find(peer);
    if (it == players_.end()) {
        return effects;
    }
    const auto at = std::find(order_.begin(), order_.end(), &it->second);
    const auto index = at - order_.begin();
    order_.erase(at);
    for (State* other : order_) {
        other->seen.erase(other->seen.begin() + index);
        other->seen_tick.erase(other->seen_tick.begin() + index);
    }
    players_.erase(it);
    std::vector<PeerId> rest = Others(peer);
    if (!rest.empty()) {
        effects.push_back(Send{std::move(rest), PlayerDisconnected{peer}, true});
    }
    return effects;
}

Effects World::Kick(const PeerId& peer) {
    Effects effects;
    if (!players_.contains(peer)) {
        return effects;
    }
    effects.push_back(Send{{peer}, Disconnect{}, false});
    effects.push_back(ClosePeer{peer});
    Effects left = Leave(peer);
    effects.insert(effects.end(), left.begin(), left.end());
    return effects;
}

void World::RelayTo(std::size_t r, TimePoint now, std::vector<std::vector<PeerId>>& to) {
    State& me = *order_[r];
    candidates_.clear();
    std::size_t pending = 0;
    for (std::size_t j = 0; j < order_.size(); ++j) {
        const State& mover = *order_[j];
        if (j == r || me.seen[j] == mover.version) {
            continue;
        }
        ++pending;
        // A position a tick old, from a player still moving, is soon replaced: not a candidate.
        // (A clock that stepped back counts as settled rather than holding positions back.)
        if (mover.moved || now - mover.moved_at >= settings_.settle || now < mover.moved_at) {
            candidates_.push_back(j);
        }
    }
    const std::size_t budget = std::min(me.relay.Available(now), candidates_.size());
    if (budget < candidates_.size()) {
        // The longest waited for first (by tick count, which no clock step disturbs); among
        // equals, stopped players (their last position is final), then arrival order.
        auto first = [&](std::size_t a, std::size_t b) {
            return std::tuple(me.seen_tick[a], order_[a]->moved, a) <
                   std::tuple(me.seen_tick[b], order_[b]->moved, b);
        };
        std::nth_element(
            candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(budget),
            candidates_.end(), first);
    }
    for (std::size_t i = 0; i < budget; ++i) {
        const std::size_t j = candidates_[i];
        (void)me.relay.Take(now);
        me.seen[j] = order_[j]->version;
        me.seen_tick[j] = ticks_;
        to[j].push_back(me.player.id);
    }
    stats_.updates_deferred += candidates_.size() - budget;
    held_back_ = held_back_ || pending > budget;
}

Effects World::Tick(TimePoint now) {
    Effects effects;
    ++ticks_;
    // Nothing moved and nothing waits: no position to send to anyone.
    const bool idle = !moved_since_tick_ && !held_back_;
    moved_since_tick_ = false;
    held_back_ = false;
    if (order_.size() >= 2 && !idle) {
        std::vector<std::vector<PeerId>> to(order_.size());
        for (std::size_t r = 0; r < order_.size(); ++r) {
            RelayTo(r, now, to);
        }
        for (std::size_t j = 0; j < order_.size(); ++j) {
            if (to[j].empty()) {
                continue;
            }
            stats_.updates_relayed += to[j].size();
            const Player& p = order_[j]->player;
            effects.push_back(Send{std::move(to[j]), PlayerMoved{p.id, p.transform}, false});
        }
    }
    for (State* s : order_) {
        s->moved = false;
    }
    return effects;
}

Effects World::DisconnectAll() {
    Effects effects;
    std::vector<PeerId> everyone = Others("");
    if (!everyone.empty()) {
        effects.push_back(Send{everyone, Disconnect{}, false});
    }
    for (const PeerId& p : everyone) {
        effects.push_back(ClosePeer{p});
    }
    players_.clear();
    order_.clear();
    return effects;
}

std::optional<Player> World::Find(const PeerId& peer) const {
    auto it = players_.find(peer);
    if (it == players_.end()) {
        return std::nullopt;
    }
    return it->second.player;
}

const WorldStats& World::Stats() const {
    stats_.players = players_.size();
    return stats_;
}

}  // namespace hatongsu::world
