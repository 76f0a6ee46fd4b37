// Port: carries out the world's effects on the peers' channels (encodes each message for the
// wire, sends it, closes peers), in the order given. Never blocks, so it may be called with the
// game's lock held. Effects for a peer that is gone are ignored. Thread-safe.
#pragma once

#include "services/world/domain/messages.h"

namespace hatongsu::world {

class Channels {
public:
    virtual ~Channels() = default;
    virtual void Apply(const Effects& effects) = 0;
};

}  // namespace hatongsu::world
