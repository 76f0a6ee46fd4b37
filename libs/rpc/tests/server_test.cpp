// StartServer's call count and ShutdownServer against an in-process server whose one handler
// holds its call until the test lets it go.
#include "hatongsu/rpc/server.h"

#include <future>
#include <thread>

#include <absl/synchronization/mutex.h>
#include <gtest/gtest.h>

#include "proto/user.grpc.pb.h"

namespace hatongsu::rpc {
namespace {

using namespace std::chrono_literals;

class HeldCalls final : public ::user::UserService::CallbackService {
public:
    grpc::ServerUnaryReactor* GetUserInfo(
        grpc::CallbackServerContext* ctx,
        const ::user::GetUserInfoRequest* req,
        ::user::GetUserInfoResponse* resp) override {
        auto* reactor = ctx->DefaultReactor();
        if (req->userid() == "now") {
            reactor->Finish(grpc::Status::OK);
            return reactor;
        }
        absl::MutexLock lock(&mu_);
        held_.push_back({reactor, resp});
        return reactor;
    }
    std::size_t Held() {
        absl::MutexLock lock(&mu_);
        return held_.size();
    }
    void FinishAll(const std::string& nickname) {
        absl::MutexLock lock(&mu_);
        for (auto& [reactor, resp] : held_) {
            resp->mutable_user()->set_nickname(nickname);
            reactor->Finish(grpc::Status::OK);
        }
        held_.clear();
    }

private:
    absl::Mutex mu_;
    std::vector<std::pair<grpc::ServerUnaryReactor*, ::user::GetUserInfoResponse*>> held_
        ABSL_GUARDED_BY(mu_);
};

class GrpcServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = StartServer(
            "127.0.0.1:0", {&service_}, grpc::InsecureServerCredentials(), &port_, &calls_);
        stub_ = ::user::UserService::NewStub(grpc::CreateChannel(
            "127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
    }
    void TearDown() override {
        service_.FinishAll("");
        if (server_) {
            ShutdownServer(*server_, calls_, std::chrono::system_clock::now() + 5s);
        }
    }
    grpc::Status Call(const std::string& id, std::string* nickname = nullptr) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 20s);
        ::user::GetUserInfoRequest req;
        req.set_userid(id);
        ::user::GetUserInfoResponse resp;
        grpc::Status s = stub_->GetUserInfo(&ctx, req, &resp);
        if (nickname != nullptr) {
            *nickname = resp.user().nickname();
        }
        return s;
    }
    void WaitUntilHeld(std::size_t n) {
        auto until = std::chrono::steady_clock::now() + 10s;
        while (service_.Held() < n && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(2ms);
        }
        ASSERT_EQ(service_.Held(), n);
    }

    HeldCalls service_;
    ServerCalls calls_;
    int port_ = 0;
    std::unique_ptr<grpc::Server> server_;
    std::unique_ptr<::user::UserService::Stub> stub_;
};

TEST_F(GrpcServerTest, CallsAreCountedWhileTheyRun) {
    EXPECT_EQ(calls_.InFlight(), 0u);
    auto first = std::async(std::launch::async, [&] { return Call("held"); });
    auto second = std::async(std::launch::async, [&] { return Call("held"); });
    WaitUntilHeld(2);
    EXPECT_EQ(calls_.InFlight(), 2u);
    service_.FinishAll("done");
    EXPECT_TRUE(first.get().ok());
    EXPECT_TRUE(second.get().ok());
    auto until = std::chrono::steady_clock::now() + 10s;
    while (calls_.InFlight() > 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(2ms);
    }
    EXPECT_EQ(calls_.InFlight(), 0u);
    EXPECT_TRUE(Call("now").ok());
}

TEST_F(GrpcServerTest, ACallInFlightFinishesBeforeTheServerStops) {
    auto held = std::async(std::launch::async, [&] {
        std::string nickname;
        grpc::Status s = Call("held", &nickname);
        return std::make_pair(s.error_code(), nickname);
    });
    WaitUntilHeld(1);
    auto stopped = std::async(std::launch::async, [&] {
        ShutdownServer(*server_, calls_, std::chrono::system_clock::now() + 30s);
    });
    // The shutdown waits for the held call: it has not returned while the call is held.
    EXPECT_EQ(stopped.wait_for(300ms), std::future_status::timeout);
    service_.FinishAll("finished");
    stopped.get();
    auto [code, nickname] = held.get();
    EXPECT_EQ(code, grpc::StatusCode::OK);
    EXPECT_EQ(nickname, "finished");
    // A call after the shutdown is refused.
    EXPECT_FALSE(Call("now").ok());
    server_.reset();
}

TEST_F(GrpcServerTest, WhatIsStillRunningAtTheDeadlineIsCancelled) {
    auto held = std::async(std::launch::async, [&] { return Call("held").error_code(); });
    WaitUntilHeld(1);
    // The handler never finishes on its own: at the deadline the call is cancelled, and the
    // shutdown returns once the reactor is done (finished by TearDown's FinishAll otherwise).
    auto stopped = std::async(std::launch::async, [&] {
        ShutdownServer(*server_, calls_, std::chrono::system_clock::now() + 200ms);
    });
    EXPECT_NE(held.get(), grpc::StatusCode::OK);
    service_.FinishAll("");
    stopped.get();
    server_.reset();
}

}  // namespace
}  // namespace hatongsu::rpc
