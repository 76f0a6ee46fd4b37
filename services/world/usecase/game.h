// The game's use cases: a peer's channel opened (it spawns), a decoded message arrived, a message
// was dropped by the codec, a peer is gone, the tick, a server-side kick, and shutdown. Serialises
// every call on one lock and hands the world's effects to the Channels port while holding it, so
// each peer gets its messages in the order the world produced them. Thread-safe.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include "hatongsu/core/clock.h"
#include "services/world/domain/world.h"
#include "services/world/port/channels.h"
#include "services/world/port/entropy.h"

namespace hatongsu::world {

class Game final {
public:
    // All references are owned by main and outlive this object.
    Game(WorldSettings settings, Channels& channels, Entropy& entropy, core::Clock& clock)
        : world_(std::move(settings)), channels_(channels), entropy_(entropy), clock_(clock) {}

    void Open(const PeerId& peer);
    void Message(const PeerId& peer, const ClientMessage& message);
    void Dropped(DropReason reason);
    void Closed(const PeerId& peer);
    void Kick(const PeerId& peer);
    void Tick();
    void DisconnectAll();

    std::size_t Players();
    WorldStats Stats();
    std::optional<Player> Find(const PeerId& peer);

private:
    absl::Mutex mu_;
    World world_ ABSL_GUARDED_BY(mu_);
    Channels& channels_;
    Entropy& entropy_;
    core::Clock& clock_;
};

}  // namespace hatongsu::world
