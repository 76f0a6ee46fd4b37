#include "services/world/domain/world.h"

#include <algorithm>

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
    std::vector<const State*> states;
    states.reserve(players_.size());
    for (const auto& [id, state] : players_) {
        states.push_back(&state);
    }
    std::sort(states.begin(), states.end(), [](const State* a, const State* b) {
        return a->joined_seq < b->joined_seq;
    });
    std::vector<Player> out;
    out.reserve(states.size());
    for (const State* s : states) {
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
    players_.emplace(peer, State{me, core::TokenBucket(settings_.rate, now), next_seq_++});
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
                if (!moved_.insert(peer).second) {
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
    if (players_.erase(peer) == 0) {
        return effects;
    }
    moved_.erase(peer);
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

Effects World::Tick() {
    Effects effects;
    if (moved_.empty()) {
        return effects;
    }
    const std::vector<Player> all = PlayersInOrder();
    for (const Player& p : all) {
        if (!moved_.contains(p.id) || all.size() < 2) {
            continue;
        }
        std::vector<PeerId> others;
        others.reserve(all.size() - 1);
        for (const Player& o : all) {
            if (o.id != p.id) {
                others.push_back(o.id);
            }
        }
        stats_.updates_relayed += others.size();
        effects.push_back(Send{std::move(others), PlayerMoved{p.id, p.transform}, false});
    }
    moved_.clear();
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
    moved_.clear();
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
