// Entropy from the operating system's CSPRNG (libs/core RandomBytes): connection ids of 24
// characters of [A-Za-z0-9] (unbiased), uniform doubles with 53 random bits. Thread-safe.
#pragma once

#include "services/world/port/entropy.h"

namespace hatongsu::world::system {

class RandomEntropy final : public Entropy {
public:
    std::string NewId() override;
    double Uniform() override;
};

}  // namespace hatongsu::world::system
