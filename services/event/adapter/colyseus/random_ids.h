// IdGenerator from the system's random source: 9 characters of [A-Za-z0-9_-] (54 bits), as the
// original's nanoid ids. Thread-safe.
#pragma once

#include "services/event/port/id_generator.h"

namespace hatongsu::event::colyseus {

class RandomIds final : public IdGenerator {
public:
    std::string NewId() override;
};

}  // namespace hatongsu::event::colyseus
