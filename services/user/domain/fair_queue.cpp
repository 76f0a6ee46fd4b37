#include "services/user/domain/fair_queue.h"

#include <algorithm>
#include <functional>

namespace hatongsu::user {
namespace {

uint64_t LaneOf(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

}  // namespace

FairQueue::FairQueue(FairQueueLimits limits) : limits_(limits) {}

std::chrono::nanoseconds FairQueue::EstimateLocked(uint64_t lane) const {
    auto it = lanes_.find(lane);
    std::size_t mine = it == lanes_.end() ? 0 : it->second.size();
    std::size_t others = turns_.size() - (mine > 0 ? 1 : 0);
    // Round-robin: every other lane serves at most mine + 1 jobs before this one's turn.
    std::size_t ahead = std::min(queued_, mine + others * (mine + 1)) + running_;
    auto workers = static_cast<std::size_t>(std::max(1, limits_.workers));
    return service_time_ * static_cast<int64_t>(ahead / workers + 1);
}

absl::Status FairQueue::Push(std::string_view key, std::chrono::nanoseconds budget, Job job) {
    uint64_t lane = LaneOf(key);
    absl::MutexLock lock(&mu_);
    auto it = lanes_.find(lane);
    std::size_t mine = it == lanes_.end() ? 0 : it->second.size();
    if (queued_ >= limits_.max_queued || mine >= limits_.max_queued_per_key ||
        budget <= std::chrono::nanoseconds(0) || EstimateLocked(lane) > budget) {
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

void FairQueue::Done(std::chrono::nanoseconds took) {
    absl::MutexLock lock(&mu_);
    if (running_ > 0) {
        --running_;
    }
    // An exponential moving average (1/8 weight), seeded by the first measurement.
    service_time_ = service_time_.count() == 0 ? took : service_time_ + (took - service_time_) / 8;
}

std::chrono::nanoseconds FairQueue::EstimatedCompletion(std::string_view key) const {
    absl::MutexLock lock(&mu_);
    return EstimateLocked(LaneOf(key));
}

std::size_t FairQueue::Queued() const {
    absl::MutexLock lock(&mu_);
    return queued_;
}

}  // namespace hatongsu::user
