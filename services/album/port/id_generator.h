// Ids as a port, so use-case tests can predict them. RandomIdGenerator (random UUID v4 from the
// operating system's CSPRNG) is the production one. Thread-safe.
#pragma once

#include <string>

#include "hatongsu/core/random.h"

namespace hatongsu::album {

class IdGenerator {
public:
    virtual ~IdGenerator() = default;
    virtual std::string NewId() = 0;  // lower-case hyphenated UUID v4
};

class RandomIdGenerator final : public IdGenerator {
public:
    std::string NewId() override { return core::RandomUuidV4(); }
};

}  // namespace hatongsu::album
