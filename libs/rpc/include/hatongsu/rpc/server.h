// gRPC server glue: start a server with the standard health service on, stop it without waiting
// on idle clients, and run a unary call's work on a bounded thread pool (a reaction must never
// block; a full queue is RESOURCE_EXHAUSTED).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "hatongsu/rpc/status.h"

namespace hatongsu::metrics {
class Registry;
}

namespace hatongsu::rpc {

// The calls a server has in flight: one is counted from the moment a call is matched to a method
// until the call object is gone (its reactor done). Thread-safe.
class ServerCalls final {
public:
    std::size_t InFlight() const { return in_flight_.load(); }

private:
    friend class CallCountingInterceptor;
    std::atomic<std::size_t> in_flight_{0};
};

// Binds `address` ("host:port"; port 0 picks a free one, read back from *bound_port) with
// `credentials` (see tls.h) and starts, with the standard health service on. With `calls`, every
// call is counted there (ShutdownServer needs it); with `metrics`, every call is counted and timed
// there (metrics.h). Both must outlive the server.
// Throws std::runtime_error when the address cannot be bound (a start-up error).
std::unique_ptr<grpc::Server> StartServer(
    const std::string& address,
    const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    int* bound_port,
    ServerCalls* calls = nullptr,
    metrics::Registry* metrics = nullptr);

// The drain of a server started with `calls`: refuses new calls, lets the calls in flight finish
// until `deadline` and cancels what is left then, and closes the client connections once no call
// has been in flight for a short grace (0.3 s). grpc::Server::Shutdown alone also waits for every
// client to hang up after its GOAWAY, which an idle client with no thread polling its channel does
// only on its 5 s backup poll. Returns when every callback has completed.
void ShutdownServer(
    grpc::Server& server, const ServerCalls& calls, std::chrono::system_clock::time_point deadline);

// The x-request-id metadata of a call, or "".
std::string RequestIdOf(const grpc::CallbackServerContext* ctx);
class ServiceAuth;  // service_auth.h
// The x-client-ip metadata (the gateway's view of the caller's address) when the caller is
// authenticated by `auth`; otherwise, or without it, the peer's address (without the port).
std::string ClientIpOf(const grpc::CallbackServerContext* ctx, const ServiceAuth& auth);

// A thread pool whose queue is bounded: at most `max_pending` tasks wait or run at once, and
// TryPost refuses the rest at once instead of piling them up. Thread-safe. Join() (the drain)
// waits for every posted task to end.
class WorkPool final {
public:
    WorkPool(std::size_t threads, std::size_t max_pending) : pool_(threads), max_(max_pending) {}

    // Posts fn(), or returns false when max_pending tasks are already waiting or running.
    template <typename Fn>
    bool TryPost(Fn fn) {
        if (pending_.fetch_add(1) >= max_) {
            pending_.fetch_sub(1);
            return false;
        }
        boost::asio::post(pool_, [this, fn = std::move(fn)]() mutable {
            struct Release {
                std::atomic<std::size_t>& n;
                ~Release() { n.fetch_sub(1); }
            } release{pending_};
            fn();
        });
        return true;
    }
    std::size_t Pending() const { return pending_.load(); }
    // For timers whose handlers are short and already bounded elsewhere (not counted in Pending).
    boost::asio::thread_pool::executor_type Executor() { return pool_.get_executor(); }
    void Join() { pool_.join(); }

private:
    boost::asio::thread_pool pool_;
    const std::size_t max_;
    std::atomic<std::size_t> pending_{0};
};

// Runs work() (returning absl::Status) and returns its result; anything thrown, of any type,
// becomes INTERNAL: an exception must never escape a pool thread.
template <typename Work>
absl::Status RunCatching(Work& work) {
    try {
        return work();
    } catch (const std::exception& e) {
        return absl::InternalError(std::string("unexpected exception: ") + e.what());
    } catch (...) {
        return absl::InternalError("unexpected non-standard exception");
    }
}

// Runs `work` (returning absl::Status) on `pool` and finishes the call's default reactor with its
// result: RESOURCE_EXHAUSTED "SERVER_BUSY" at once when the pool's queue is full. A call whose
// deadline already passed or that was cancelled is not started. Anything thrown, of any type,
// becomes INTERNAL: an exception must never escape a pool thread.
template <typename Work>
grpc::ServerUnaryReactor* RunOnPool(WorkPool& pool, grpc::CallbackServerContext* ctx, Work work) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    bool posted = pool.TryPost([ctx, reactor, work = std::move(work)]() mutable {
        if (ctx->IsCancelled() || ctx->deadline() < std::chrono::system_clock::now()) {
            reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded"));
            return;
        }
        reactor->Finish(ToGrpcStatus(RunCatching(work)));
    });
    if (!posted) {
        reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "SERVER_BUSY"));
    }
    return reactor;
}

}  // namespace hatongsu::rpc
