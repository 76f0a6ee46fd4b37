// A Clock that only moves when the test says so. Thread-safe: a test may advance it while server
// threads read it.
#pragma once

#include <atomic>
#include <chrono>

#include "hatongsu/core/clock.h"

namespace hatongsu::testkit {

class FakeClock final : public core::Clock {
public:
    using Duration = std::chrono::system_clock::duration;

    explicit FakeClock(
        std::chrono::system_clock::time_point start =
            std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)))
        : ticks_(start.time_since_epoch().count()) {}
    std::chrono::system_clock::time_point Now() override {
        return std::chrono::system_clock::time_point(Duration(ticks_.load()));
    }
    void Advance(Duration d) { ticks_.fetch_add(d.count()); }

private:
    std::atomic<Duration::rep> ticks_;
};

}  // namespace hatongsu::testkit
