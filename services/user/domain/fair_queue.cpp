#include "services/user/domain/fair_queue.h"

#include <algorithm>
#include <functional>

namespace hatongsu::user {
namespace {

uint64_t LaneOf(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

// An exponential moving average (1/8 weight), seeded by the first measurement.
std::chrono::nanoseconds Average(
    std::chrono::nanoseconds average, std::chrono::nanoseconds sample) {
    return average.count() == 0 ? sample : average + (sample - average) / 8;
}

}  // namespace

FairQueue::FairQueue(FairQueueLimits limits) : limits_(limits) {}

std::chrono::nanoseconds FairQueue::EstimateLocked(uint64_t lane) const {
    auto it = lanes_.find(lane);
    std::size_t mine = it == lanes_.end() ? 0 : it->second.size();
    std::size_t others = turns_.size() - (mine > 0 ? 1 : 0);
    // Round-robin: every other lane serves at most mine + 1 jobs before this one's turn.
    std::size_t ahead = std::min(queued_, mine + others * (mine + 1)) + running_;
    std::chrono::nanoseconds interval = drain_interval_;
    if (interval.count() == 0) {  // never saw a backlog: assume every worker has a core
        interval = service_time_ / std::max(1, limits_.workers);
    }
    return std::max(service_time_, interval * static_cast<int64_t>(ahead + 1));
}

absl::Status FairQueue::Push(std::string_view key, std::chrono::nanoseconds budget, Job job) {
    uint64_t lane = LaneOf(key);
    absl::MutexLock lock(&mu_);
    auto it = lanes_.find(lane);
    std::size_t mine = it == lanes_.end() ? 0 : it->second.size();
    if (queued_ >= limits_.max_queued || mine >= limits_.max_queued_per_key ||
        budget <= std::chrono::nanoseconds(0) || EstimateLocked(lane) > budget / 2) {
        return absl::ResourceExhaustedError("SERVER_BUSY");
    }
    if (mine == 0) {
        turns_.push_back(lane);
    }
    lanes_[lane].push_back(std::move(job));
    ++queued_;
    return absl::OkStatus();
}

std::optional<FairQueue::Job> FairQueue::Pop() {
    absl::MutexLock lock(&mu_);
    if (turns_.empty()) {
        return std::nullopt;
    }
    uint64_t lane = turns_.front();
    turns_.pop_front();
    auto it = lanes_.find(lane);
    Job job = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) {
        lanes_.erase(it);
    } else {
        turns_.push_back(lane);
    }
    --queued_;
    ++running_;
    return job;
}

void FairQueue::Done(std::chrono::nanoseconds took, std::chrono::steady_clock::time_point now) {
    absl::MutexLock lock(&mu_);
    if (running_ > 0) {
        --running_;
    }
    service_time_ = Average(service_time_, took);
    // Jobs were waiting since the last completion, so the workers were busy all along: the gap
    // is what one job costs the pool.
    if (last_done_ && backlog_at_last_done_ && now >= *last_done_) {
        drain_interval_ = Average(drain_interval_, now - *last_done_);
    }
    last_done_ = now;
    backlog_at_last_done_ = queued_ > 0;
}

std::chrono::nanoseconds FairQueue::EstimatedCompletion(std::string_view key) const {
    absl::MutexLock lock(&mu_);
    return EstimateLocked(LaneOf(key));
}

std::chrono::nanoseconds FairQueue::ServiceTime() const {
    absl::MutexLock lock(&mu_);
    return service_time_;
}

std::size_t FairQueue::Queued() const {
    absl::MutexLock lock(&mu_);
    return queued_;
}

}  // namespace hatongsu::user
