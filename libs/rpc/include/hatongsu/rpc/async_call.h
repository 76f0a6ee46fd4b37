// Awaiting a gRPC unary call from an Asio coroutine without blocking an I/O thread: the callback
// API completes on a gRPC thread and the coroutine resumes on its own executor.
//
//   auto reply = co_await rpc::AsyncUnary<user::GetUserInfoResponse>(
//       options, request, [stub](auto* ctx, const auto* req, auto* resp, auto done) {
//           stub->async()->GetUserInfo(ctx, req, resp, std::move(done));
//       });
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <grpcpp/grpcpp.h>

#include "hatongsu/rpc/call_tracker.h"
#include "hatongsu/rpc/metrics.h"
#include "hatongsu/rpc/status.h"

namespace hatongsu::rpc {

struct CallOptions {
    std::chrono::milliseconds timeout{5000};  // every call has a deadline
    std::string request_id;                   // sent as x-request-id
    std::string client_ip;                    // sent as x-client-ip
    CallTracker* tracker = nullptr;           // where the call is registered while in flight
    std::string service_token;                // sent as x-service-token (service_auth.h)
    // Where the call is counted and timed (metrics.h), under `method`, the full name
    // ("/user.UserService/GetUserInfo", a literal: it is not copied); nullptr: not counted.
    GrpcMetrics* metrics = nullptr;
    std::string_view method = {};
};

// Not a coroutine itself (it returns the awaitable of an async operation), so no argument has to
// live in a coroutine frame.
template <typename Response, typename Request, typename Start>
boost::asio::awaitable<absl::StatusOr<Response>> AsyncUnary(
    const CallOptions& options, Request request, Start start) {
    struct Call {
        grpc::ClientContext ctx;
        Request request;
        Response response;
    };
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->ctx.set_deadline(std::chrono::system_clock::now() + options.timeout);
    if (!options.request_id.empty()) {
        call->ctx.AddMetadata("x-request-id", options.request_id);
    }
    if (!options.client_ip.empty()) {
        call->ctx.AddMetadata("x-client-ip", options.client_ip);
    }
    if (!options.service_token.empty()) {
        call->ctx.AddMetadata("x-service-token", options.service_token);
    }
    return boost::asio::async_initiate<
        decltype(boost::asio::use_awaitable), void(absl::StatusOr<Response>)>(
        [tracker = options.tracker, metrics = options.metrics, method = options.method,
         started = std::chrono::steady_clock::now()](
            auto handler, std::shared_ptr<Call> c, Start s) {
            auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
            auto executor = boost::asio::get_associated_executor(*shared_handler);
            if (tracker != nullptr && !tracker->Begin(&c->ctx)) {
                boost::asio::post(executor, [shared_handler]() mutable {
                    std::move (*shared_handler)(absl::UnavailableError("shutting down"));
                });
                return;
            }
            // Runs on a gRPC thread. The handler is posted before End(), so the io_context is still
            // alive when it is queued (shutdown waits for End() before destroying it).
            s(&c->ctx, &c->request, &c->response,
              [c, shared_handler, executor, tracker, metrics, method, started](grpc::Status st) {
                  if (metrics != nullptr) {
                      metrics->Observe(
                          method, st.error_code(),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                              .count());
                  }
                  absl::StatusOr<Response> result =
                      st.ok() ? absl::StatusOr<Response>(std::move(c->response))
                              : FromGrpcStatus(st);
                  boost::asio::post(
                      executor, [shared_handler, result = std::move(result)]() mutable {
                          std::move (*shared_handler)(std::move(result));
                      });
                  if (tracker != nullptr) {
                      tracker->End(&c->ctx);
                  }
              });
        },
        boost::asio::use_awaitable, call, std::move(start));
}

}  // namespace hatongsu::rpc
