#include "services/user/domain/fair_queue.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::user {
namespace {

using testkit::IsOk;
using testkit::StatusIs;
using namespace std::chrono_literals;

constexpr std::chrono::nanoseconds kNoDeadline = std::chrono::hours(1);

// Runs every queued job in the queue's order; each takes `took` and the pool completes one every
// `interval` (took / workers when each worker has a core of its own).
void Drain(
    FairQueue& queue,
    std::chrono::milliseconds took = 100ms,
    std::chrono::milliseconds interval = 50ms) {
    static std::chrono::steady_clock::time_point now{};
    while (auto job = queue.Pop()) {
        (*job)();
        now += interval;
        queue.Done(took, now);
    }
}

TEST(FairQueue, AFloodFromOneAddressDoesNotDelayAnotherPastOneRound) {
    FairQueue queue({.max_queued = 1000, .max_queued_per_key = 500, .workers = 2});
    std::vector<std::string> ran;
    for (int i = 0; i < 150; ++i) {
        ASSERT_THAT(queue.Push("flood", kNoDeadline, [&] { ran.push_back("flood"); }), IsOk());
    }
    ASSERT_THAT(queue.Push("alice", kNoDeadline, [&] { ran.push_back("alice"); }), IsOk());
    ASSERT_THAT(queue.Push("bob", kNoDeadline, [&] { ran.push_back("bob"); }), IsOk());
    ASSERT_THAT(queue.Push("bob", kNoDeadline, [&] { ran.push_back("bob"); }), IsOk());
    Drain(queue);
    ASSERT_EQ(ran.size(), 153u);
    EXPECT_THAT(
        std::vector<std::string>(ran.begin(), ran.begin() + 5),
        ::testing::ElementsAre("flood", "alice", "bob", "flood", "bob"));
    EXPECT_EQ(queue.Queued(), 0u);
}

TEST(FairQueue, IsBoundedInTotalAndPerAddress) {
    FairQueue queue({.max_queued = 6, .max_queued_per_key = 4, .workers = 1});
    int runs = 0;
    for (int i = 0; i < 4; ++i) {
        ASSERT_THAT(queue.Push("a", kNoDeadline, [&] { ++runs; }), IsOk());
    }
    EXPECT_THAT(
        queue.Push("a", kNoDeadline, [&] { ++runs; }),
        StatusIs(absl::StatusCode::kResourceExhausted, "SERVER_BUSY"));
    ASSERT_THAT(queue.Push("b", kNoDeadline, [&] { ++runs; }), IsOk());
    ASSERT_THAT(queue.Push("c", kNoDeadline, [&] { ++runs; }), IsOk());
    EXPECT_THAT(
        queue.Push("d", kNoDeadline, [&] { ++runs; }),
        StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_EQ(queue.Queued(), 6u);
    Drain(queue);
    EXPECT_EQ(runs, 6);  // refused jobs are dropped, never run
}

TEST(FairQueue, RefusesAtOnceWhatCannotFinishWithinItsDeadline) {
    FairQueue queue({.max_queued = 1000, .max_queued_per_key = 1000, .workers = 2});
    for (int i = 0; i < 10; ++i) {
        ASSERT_THAT(queue.Push("warm-up", kNoDeadline, [] {}), IsOk());
    }
    Drain(queue);  // a hash takes 100 ms, two workers finish one every 50 ms
    EXPECT_EQ(queue.ServiceTime(), 100ms);
    int accepted = 0;
    while (queue.Push("flood", 5s, [] {}).ok()) {
        ++accepted;
    }
    // Alone, the flood gets half its deadline's worth of jobs in (2.5 s / 50 ms), then a quick no.
    EXPECT_EQ(accepted, 50);
    // Another address is served after at most one of the flood's jobs.
    EXPECT_EQ(queue.EstimatedCompletion("alice"), 100ms);
    EXPECT_THAT(queue.Push("alice", 1s, [] {}), IsOk());
    EXPECT_THAT(queue.Push("bob", 0ns, [] {}), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(FairQueue, PlansWithTheRateJobsReallyFinishAtNotTheThreadCount) {
    FairQueue queue({.max_queued = 1000, .max_queued_per_key = 1000, .workers = 2});
    for (int i = 0; i < 10; ++i) {
        ASSERT_THAT(queue.Push("warm-up", kNoDeadline, [] {}), IsOk());
    }
    Drain(queue, 100ms, 100ms);  // two threads, but sharing one core with other work
    int accepted = 0;
    while (queue.Push("flood", 5s, [] {}).ok()) {
        ++accepted;
    }
    EXPECT_EQ(accepted, 25);
}

}  // namespace
}  // namespace hatongsu::user
