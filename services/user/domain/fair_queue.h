// Shares a pool of workers fairly between clients: one FIFO lane of jobs per client key, lanes
// served round-robin, so a client with a hundred queued jobs waits its turn like a client with
// one. Bounded in total and per key; a job that would not finish within its caller's budget is
// refused at once (better a quick 429 than a 504 after the deadline). Pure scheduling: the owner
// runs what Pop returns on its workers and reports how long it took. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <absl/base/thread_annotations.h>
#include <absl/functional/any_invocable.h>
#include <absl/status/status.h>
#include <absl/synchronization/mutex.h>

namespace hatongsu::user {

struct FairQueueLimits {
    std::size_t max_queued = 256;         // all lanes together
    std::size_t max_queued_per_key = 64;  // one lane
    int workers = 1;                      // threads running the jobs, for the wait estimate
};

class FairQueue final {
public:
    using Job = absl::AnyInvocable<void()>;

    explicit FairQueue(FairQueueLimits limits);

    // Queues `job` in `key`'s lane. ResourceExhausted "SERVER_BUSY" (and `job` is dropped, never
    // run) when the queue or the lane is full, or when the job would likely not finish within
    // `budget` given the jobs ahead of it and the measured service time. Only half the budget
    // is planned for: service times vary, and the answer still has to travel back.
    [[nodiscard]] absl::Status Push(std::string_view key, std::chrono::nanoseconds budget, Job job);
    // The next job in round-robin order over the lanes; nullopt when nothing is queued. The
    // caller runs it and then calls Done with the time it took and the (steady) time it ended.
    std::optional<Job> Pop();
    void Done(std::chrono::nanoseconds took, std::chrono::steady_clock::time_point now);

    // How long a job pushed now for `key` would take to finish (0 before any Done): the jobs
    // ahead of it (round-robin) times the measured interval between completions under backlog,
    // which reflects the workers' real parallelism (threads may share cores with other work),
    // and at least one service time.
    std::chrono::nanoseconds EstimatedCompletion(std::string_view key) const;
    // The moving average of the times reported to Done (0 before any): a popped job with less
    // time than this left before its deadline is better refused than started.
    std::chrono::nanoseconds ServiceTime() const;
    std::size_t Queued() const;

private:
    std::chrono::nanoseconds EstimateLocked(uint64_t lane) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

    const FairQueueLimits limits_;
    mutable absl::Mutex mu_;
    std::unordered_map<uint64_t, std::deque<Job>> lanes_ ABSL_GUARDED_BY(mu_);
    std::deque<uint64_t> turns_ ABSL_GUARDED_BY(mu_);  // non-empty lanes, next to serve first
    std::size_t queued_ ABSL_GUARDED_BY(mu_) = 0;
    std::size_t running_ ABSL_GUARDED_BY(mu_) = 0;
    std::chrono::nanoseconds service_time_ ABSL_GUARDED_BY(mu_){0};    // moving average
    std::chrono::nanoseconds drain_interval_ ABSL_GUARDED_BY(mu_){0};  // moving average
    std::optional<std::chrono::steady_clock::time_point> last_done_ ABSL_GUARDED_BY(mu_);
    bool backlog_at_last_done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hatongsu::user
