#include "services/world/usecase/game.h"

namespace hatongsu::world {

void Game::Open(const PeerId& peer) {
    SpawnDraw draw{.u = entropy_.Uniform(), .v = entropy_.Uniform()};
    absl::MutexLock lock(&mu_);
    channels_.Apply(world_.Join(peer, clock_.Now(), draw));
}

void Game::Message(const PeerId& peer, const ClientMessage& message) {
    absl::MutexLock lock(&mu_);
    channels_.Apply(world_.Handle(peer, message, clock_.Now()));
}

void Game::Dropped(DropReason reason) {
    absl::MutexLock lock(&mu_);
    world_.CountDrop(reason);
}

void Game::Closed(const PeerId& peer) {
    absl::MutexLock lock(&mu_);
    channels_.Apply(world_.Leave(peer));
}

void Game::Kick(const PeerId& peer) {
    absl::MutexLock lock(&mu_);
    channels_.Apply(world_.Kick(peer));
}

void Game::Tick() {
    absl::MutexLock lock(&mu_);
    channels_.Apply(world_.Tick(clock_.Now()));
}

void Game::DisconnectAll() {
    absl::MutexLock lock(&mu_);
    channels_.Apply(world_.DisconnectAll());
}

std::size_t Game::Players() {
    absl::MutexLock lock(&mu_);
    return world_.Size();
}

WorldStats Game::Stats() {
    absl::MutexLock lock(&mu_);
    return world_.Stats();
}

std::optional<Player> Game::Find(const PeerId& peer) {
    absl::MutexLock lock(&mu_);
    return world_.Find(peer);
}

}  // namespace hatongsu::world
