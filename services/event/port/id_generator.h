// Port: fresh ids for sessions and reconnection tokens (9 characters of [A-Za-z0-9_-], as the
// original's nanoid). Implementations are thread-safe.
#pragma once

#include <string>

namespace hatongsu::event {

class IdGenerator {
public:
    virtual ~IdGenerator() = default;
    virtual std::string NewId() = 0;
};

}  // namespace hatongsu::event
