// The gRPC client calls a process has in flight, so that shutdown can cancel them and wait for
// their completions before destroying what those completions touch (the io_context they resume
// on, the stub, the coroutine frames). AsyncUnary registers every call it starts here. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <unordered_set>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <grpcpp/client_context.h>

namespace hatongsu::rpc {

class CallTracker final {
public:
    // Registers a call about to start; false once Close() was called (then do not start it).
    bool Begin(grpc::ClientContext* ctx);
    // The call's completion has been handed on; its context may be destroyed after this.
    void End(grpc::ClientContext* ctx);
    std::size_t InFlight() const;

    // The drain: refuse new calls, wait until none is in flight or the deadline passes, then cancel
    // what is left and wait for those completions (cancelled calls complete promptly).
    // Returns true when nothing is left in flight.
    bool Close(std::chrono::steady_clock::time_point deadline);

private:
    mutable absl::Mutex mu_;
    bool closed_ ABSL_GUARDED_BY(mu_) = false;
    std::unordered_set<grpc::ClientContext*> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hatongsu::rpc
