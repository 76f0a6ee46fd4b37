// Time as a port, so rules that depend on "now" are tested with a FakeClock (libs/testkit).
// SystemClock is stateless and safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace hatongsu::core {

// Whole seconds since the Unix epoch (JWT claims, SQL to_timestamp()).
inline int64_t EpochSeconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::system_clock::time_point Now() = 0;
};

class SystemClock final : public Clock {
public:
    std::chrono::system_clock::time_point Now() override {
        return std::chrono::system_clock::now();
    }
};

}  // namespace hatongsu::core
