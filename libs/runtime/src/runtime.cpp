#include "hatongsu/runtime/runtime.h"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "hatongsu/log/log.h"
#include "hatongsu/net/server.h"
#include "hatongsu/rpc/call_tracker.h"
#include "hatongsu/rpc/server.h"

namespace hatongsu::runtime {
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

Runtime::Runtime(std::string service, RuntimeOptions options)
    : service_(std::move(service)), options_(options), io_(std::max(1, options.io_threads)) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
}

Runtime::~Runtime() {
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void Runtime::OnDrain(std::string name, DrainStep step) {
    steps_.emplace_back(std::move(name), std::move(step));
}

void Runtime::DrainHttp(net::Server& server) {
    OnDrain("http", [&server](Clock::time_point deadline) {
        server.Shutdown();
        while (server.OpenConnections() > 0 && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (server.OpenConnections() > 0) {
            log::Warn(
                "drain deadline passed, closing", {{"connections", server.OpenConnections()}});
            server.Abort();
            // Cancelled reads and writes end at once; a handler waiting on a gRPC call ends when
            // the call does (DrainCalls cancels those).
            auto grace = Clock::now() + std::chrono::seconds(1);
            while (server.OpenConnections() > 0 && Clock::now() < grace) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        }
    });
}

void Runtime::DrainGrpcServer(grpc::Server& server, const rpc::ServerCalls& calls) {
    OnDrain("grpc server", [&server, &calls](Clock::time_point deadline) {
        if (auto* health = server.GetHealthCheckService(); health != nullptr) {
            health->SetServingStatus(false);
        }
        // Refuses new calls, waits for the running ones (their reactors finished), cancels what is
        // left at the deadline, and returns only when every callback has completed.
        auto system_deadline = std::chrono::system_clock::now() + (deadline - Clock::now());
        rpc::ShutdownServer(server, calls, system_deadline);
    });
}

void Runtime::DrainCalls(rpc::CallTracker& calls) {
    OnDrain("grpc calls", [&calls](Clock::time_point deadline) {
        if (!calls.Close(deadline)) {
            log::Error("gRPC calls still in flight after cancel", {{"calls", calls.InFlight()}});
        }
    });
}

void Runtime::DrainPool(rpc::WorkPool& pool) {
    OnDrain("work pool", [&pool](Clock::time_point) { pool.Join(); });
}

void Runtime::RequestStop() {
    ::kill(::getpid(), SIGTERM);
}

int Runtime::Run() {
    auto work = boost::asio::make_work_guard(io_);
    std::vector<std::thread> threads;
    for (int i = 0; i < options_.io_threads; ++i) {
        threads.emplace_back([this] { io_.run(); });
    }
    int sig = 0;
    sigwait(&signals_, &sig);
    auto start = Clock::now();
    log::Info("shutting down", {{"signal", sig}, {"service", service_}});
    auto deadline = start + options_.drain_timeout;
    for (auto& [name, step] : steps_) {
        auto step_start = Clock::now();
        step(deadline);
        log::Debug("drained", {{"step", name}, {"ms", MillisecondsSince(step_start)}});
    }
    work.reset();
    io_.stop();
    for (auto& t : threads) {
        t.join();
    }
    log::Info("stopped", {{"drain_ms", MillisecondsSince(start)}});
    return 0;
}

}  // namespace hatongsu::runtime
