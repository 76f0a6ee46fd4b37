// Port: randomness for the world: connection ids (24 characters of [A-Za-z0-9], unique among
// live connections with overwhelming probability: spec §1.6 asks for a CSPRNG) and uniform
// numbers for the spawn rule's random fallback. Thread-safe.
#pragma once

#include <string>

namespace hatongsu::world {

class Entropy {
public:
    virtual ~Entropy() = default;
    virtual std::string NewId() = 0;  // 24 × [A-Za-z0-9]
    virtual double Uniform() = 0;     // [0, 1)
};

}  // namespace hatongsu::world
