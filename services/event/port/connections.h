// Port: the open sockets, as the room sees them. Apply carries out the room's effects in order
// (encodes the frames and queues them on the sockets, closes sockets); it never blocks, so it may
// be called with the room's lock held. An effect for a connection that is already gone is ignored.
#pragma once

#include "services/event/domain/room.h"

namespace hatongsu::event {

class Connections {
public:
    virtual ~Connections() = default;
    virtual void Apply(const Effects& effects) = 0;
};

}  // namespace hatongsu::event
