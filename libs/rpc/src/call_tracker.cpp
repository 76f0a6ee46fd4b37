#include "hatongsu/rpc/call_tracker.h"

namespace hatongsu::rpc {

bool CallTracker::Begin(grpc::ClientContext* ctx) {
    absl::MutexLock lock(&mu_);
    if (closed_) {
        return false;
    }
    calls_.insert(ctx);
    return true;
}

void CallTracker::End(grpc::ClientContext* ctx) {
    absl::MutexLock lock(&mu_);
    calls_.erase(ctx);
}

std::size_t CallTracker::InFlight() const {
    absl::MutexLock lock(&mu_);
    return calls_.size();
}

bool CallTracker::Close(std::chrono::steady_clock::time_point deadline) {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return calls_.empty();
    };
    auto remaining = deadline - std::chrono::steady_clock::now();
    if (mu_.AwaitWithTimeout(absl::Condition(&idle), absl::FromChrono(remaining))) {
        return true;
    }
    for (grpc::ClientContext* ctx : calls_) {
        ctx->TryCancel();  // its completion still runs, with CANCELLED, and calls End()
    }
    return mu_.AwaitWithTimeout(absl::Condition(&idle), absl::Seconds(5));
}

}  // namespace hatongsu::rpc
