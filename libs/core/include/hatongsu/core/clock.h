// Time as a port, so rules that depend on "now" are tested with a FakeClock (libs/testkit).
// SystemClock is stateless and safe from any thread.
#pragma once

#include <chrono>

namespace hatongsu::core {

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
