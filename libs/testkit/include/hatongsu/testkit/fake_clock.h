// A Clock that only moves when the test says so. Not thread-safe: tests drive it from one thread.
#pragma once

#include <chrono>

#include "hatongsu/core/clock.h"

namespace hatongsu::testkit {

class FakeClock final : public core::Clock {
public:
    explicit FakeClock(
        std::chrono::system_clock::time_point start =
            std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)))
        : now_(start) {}
    std::chrono::system_clock::time_point Now() override { return now_; }
    void Advance(std::chrono::system_clock::duration d) { now_ += d; }

private:
    std::chrono::system_clock::time_point now_;
};

}  // namespace hatongsu::testkit
