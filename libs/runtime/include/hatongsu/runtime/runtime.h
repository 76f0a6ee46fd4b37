// The one way a service starts and stops: I/O threads, SIGTERM/SIGINT, and the drain.
//
// Construct the Runtime first in main, before any other thread exists (the logger's, gRPC's): it
// blocks SIGTERM and SIGINT so that every later thread inherits the mask and only Run() receives
// them. Then build the adapters, use cases and servers, register each drain step, and call Run().
//
//   runtime::Runtime rt("gateway", {.io_threads = 2, .drain_timeout = 10s});
//   ... build everything on rt.Io() ...
//   rt.DrainHttp(server);        // 1. stop accepting, close idle keep-alives, finish requests
//   rt.DrainCalls(user_calls);   // 2. outgoing gRPC calls: wait, then cancel what is left
//   return rt.Run();
//
// Destruction order. Run() returns only once every drain step has finished: no request, gRPC call
// or pool task is in flight, and the I/O threads have been joined. main's locals are then
// destroyed in reverse order of declaration (servers, use cases, adapters), and the Runtime, which
// owns the io_context, last of all, so no late completion can touch a destroyed object.
#pragma once

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace grpc {
class Server;
}

namespace hatongsu::net {
class Server;
}

namespace hatongsu::rpc {
class CallTracker;
class ServerCalls;
class WorkPool;
}  // namespace hatongsu::rpc

namespace hatongsu::runtime {

struct RuntimeOptions {
    int io_threads = 1;  // threads running Io(); 0 when the service has no Asio I/O
    // Shared by all the drain steps: what is still in flight after it is cancelled.
    std::chrono::milliseconds drain_timeout{10000};
};

class Runtime final {
public:
    Runtime(std::string service, RuntimeOptions options);
    ~Runtime();  // restores the signal mask of the constructing thread
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    boost::asio::io_context& Io() { return io_; }

    // A drain step, run after the signal in the order added; `deadline` is the whole drain's.
    // Each step returns when its part is idle (or was cancelled at the deadline).
    using DrainStep = std::function<void(std::chrono::steady_clock::time_point deadline)>;
    void OnDrain(std::string name, DrainStep step);

    // The usual steps.
    void DrainHttp(net::Server& server);         // Shutdown(), wait for no open connection, Abort()
    // Health NOT_SERVING, then rpc::ShutdownServer (calls: what StartServer counted).
    void DrainGrpcServer(grpc::Server& server, const rpc::ServerCalls& calls);
    void DrainCalls(rpc::CallTracker& calls);    // outgoing gRPC calls
    void DrainPool(rpc::WorkPool& pool);         // waits for its tasks (after the server's drain)

    // Starts the I/O threads, waits for SIGTERM/SIGINT (or RequestStop), runs the drain steps,
    // then stops and joins the I/O threads. Returns the process exit code: 0.
    int Run();
    // As if SIGTERM had arrived (tests, or a fatal error found by a background task).
    void RequestStop();

private:
    const std::string service_;
    const RuntimeOptions options_;
    sigset_t signals_{};
    sigset_t previous_mask_{};
    boost::asio::io_context io_;
    std::vector<std::pair<std::string, DrainStep>> steps_;
};

}  // namespace hatongsu::runtime
