// The runtime's drain, in-process: a signal stops accepting, idle keep-alive connections close at
// once, a request in flight is finished, and Run() returns 0 quickly when nothing is in flight.
#include "hatongsu/runtime/runtime.h"

#include <future>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "hatongsu/net/server.h"
#include "hatongsu/rpc/call_tracker.h"
#include "hatongsu/rpc/server.h"
#include "hatongsu/testkit/raw_http.h"

namespace hatongsu::runtime {
namespace {

using namespace std::chrono_literals;
namespace http = net::http;

net::Router SlowRouter() {
    net::Router router;
    router.Add(
        http::verb::get, "/slow", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 500ms);
            co_await timer.async_wait(boost::asio::use_awaitable);
            co_return net::Text(ctx, http::status::ok, "finished");
        });
    router.Add(
        http::verb::get, "/fast", [](net::Context& ctx) -> boost::asio::awaitable<net::Response> {
            co_return net::Text(ctx, http::status::ok, "fast");
        });
    return router;
}

TEST(Runtime, ASignalDuringASlowRequestFinishesItThenReturnsZero) {
    Runtime rt("test", {.io_threads = 2, .drain_timeout = 5s});
    net::Router router = SlowRouter();
    net::Server server(rt.Io(), {}, router);
    server.Start();
    rt.DrainHttp(server);
    auto exit_code = std::async(std::launch::async, [&] { return rt.Run(); });

    testkit::RawHttp client(server.Port());
    client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(100ms);
    rt.RequestStop();
    auto r = client.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "finished");
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_EQ(exit_code.get(), 0);
}

TEST(Runtime, IdleKeepAliveConnectionsDoNotHoldTheDrain) {
    Runtime rt("test", {.io_threads = 2, .drain_timeout = 30s});
    net::Router router = SlowRouter();
    net::Server server(rt.Io(), {}, router);
    server.Start();
    rt.DrainHttp(server);
    auto exit_code = std::async(std::launch::async, [&] { return rt.Run(); });
    std::vector<std::unique_ptr<testkit::RawHttp>> idle;
    for (int i = 0; i < 100; ++i) {
        idle.push_back(std::make_unique<testkit::RawHttp>(server.Port()));
        idle.back()->Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_EQ(idle.back()->Read().status, 200);
    }
    auto start = std::chrono::steady_clock::now();
    rt.RequestStop();
    // Far below the 30 s deadline: a drain with nothing in flight does not wait for it.
    ASSERT_EQ(exit_code.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(exit_code.get(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    for (auto& c : idle) {
        EXPECT_TRUE(c->ClosedByPeer(100ms));
    }
}

TEST(Runtime, DrainStepsRunInOrderWithOneDeadline) {
    Runtime rt("test", {.io_threads = 0, .drain_timeout = 2s});
    std::vector<std::string> ran;
    std::chrono::steady_clock::time_point first_deadline;
    rt.OnDrain("a", [&](auto deadline) {
        ran.push_back("a");
        first_deadline = deadline;
    });
    rt.OnDrain("b", [&](auto deadline) {
        ran.push_back("b");
        EXPECT_EQ(deadline, first_deadline);
    });
    rt.RequestStop();
    EXPECT_EQ(rt.Run(), 0);
    EXPECT_EQ(ran, (std::vector<std::string>{"a", "b"}));
}

TEST(WorkPool, RefusesPastItsBoundInsteadOfQueueing) {
    rpc::WorkPool pool(1, 2);
    std::promise<void> release;
    auto gate = release.get_future().share();
    EXPECT_TRUE(pool.TryPost([gate] { gate.wait(); }));
    EXPECT_TRUE(pool.TryPost([gate] { gate.wait(); }));
    EXPECT_FALSE(pool.TryPost([] {}));
    EXPECT_EQ(pool.Pending(), 2u);
    release.set_value();
    pool.Join();
    EXPECT_EQ(pool.Pending(), 0u);
}

TEST(CallTracker, CloseRefusesNewCallsAndReturnsAtOnceWhenIdle) {
    rpc::CallTracker calls;
    grpc::ClientContext a;
    ASSERT_TRUE(calls.Begin(&a));
    std::thread finisher([&] {
        std::this_thread::sleep_for(50ms);
        calls.End(&a);
    });
    EXPECT_TRUE(calls.Close(std::chrono::steady_clock::now() + 5s));
    finisher.join();
    grpc::ClientContext b;
    EXPECT_FALSE(calls.Begin(&b));
    EXPECT_EQ(calls.InFlight(), 0u);
}

}  // namespace
}  // namespace hatongsu::runtime
