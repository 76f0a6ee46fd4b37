// WebSocket endpoints on the HTTP server: a GET request carrying `Upgrade: websocket` whose path
// matches a route added with Router::AddWebSocket is upgraded (Beast websocket on the accepted
// stream, no permessage-deflate, no subprotocol) and handed to the route's handler, so one port
// serves both HTTP routes and WebSocket endpoints. A request without `Upgrade: websocket` is plain
// HTTP whatever its `Connection` header says.
//
// Per socket: one reader (the handler's coroutine, through Read), one writer (a loop draining a
// send queue bounded in bytes: a peer that does not read is disconnected when its queue is full
// or a write has not completed within write_timeout, and nobody else waits for it), pings on a
// timer (a socket that misses too many pongs is dropped without a close frame), an incoming message
// size limit (close 1009), and close codes.
//
//   router.AddWebSocket("/:process/:room", [](Context& ctx, std::shared_ptr<WebSocket> ws)
//           -> asio::awaitable<void> {
//       for (;;) {
//           auto message = co_await ws->Read();
//           if (!message.ok()) co_return;  // closed, dropped or too big: the socket is gone
//           ws->Send(std::make_shared<const std::string>(*message));  // echo
//       }
//   }, {.max_message_size = 4096});
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include <absl/status/statusor.h>
#include <boost/asio/awaitable.hpp>

namespace hatongsu::net {

struct Context;

struct WebSocketOptions {
    std::size_t max_message_size = 64 * 1024;  // bigger incoming message: close 1009
    // Bytes queued for sending behind the message being sent (the head of the queue); past it
    // the socket is dropped. A message queued when nothing else is, is accepted whatever its
    // size.
    std::size_t send_queue_limit = 1024 * 1024;
    // 0: no pings. Otherwise a ping every interval; a socket with `max_missed_pongs` pings
    // unanswered at a tick is dropped (TCP closed without a close frame). Each ping carries a
    // counter; only a pong answering the latest ping counts as an answer.
    std::chrono::milliseconds ping_interval{0};
    int max_missed_pongs = 2;
    // A write (or the closing handshake's) not done within this is the peer not reading: the
    // socket is dropped. 0: no limit.
    std::chrono::milliseconds write_timeout{15000};
    // The closing handshake (ours or the peer's) and the opening one are given this long.
    std::chrono::milliseconds handshake_timeout{5000};
};

// One upgraded connection. Send, Close and Terminate may be called from any thread, also after
// the connection has ended (they do nothing then); they run on the connection's strand in call
// order. Read is for the handler's coroutine only.
class WebSocket {
public:
    // A close frame with no status code (the peer sees 1005).
    static constexpr uint16_t kNoStatus = 0;

    virtual ~WebSocket() = default;

    // Queues one binary message.
    virtual void Send(std::shared_ptr<const std::string> message) = 0;
    // Queues several, in order, as separate messages: one lock and at most one wake-up of the
    // writer for all of them (what a batched broadcast wants).
    virtual void SendAll(std::span<const std::shared_ptr<const std::string>> messages) = 0;
    // Sends the close frame after what is queued, then waits (handshake_timeout) for the peer's.
    // Later Sends are dropped. kNoStatus sends an empty close frame.
    virtual void Close(uint16_t code, std::string reason = {}) = 0;
    // Drops the TCP connection now, without a close frame.
    virtual void Terminate() = 0;

    // The next message (binary or text, as bytes). Errors: Unavailable when the connection closed
    // (a close frame, a reset, Terminate, a missed pong, a full send queue), ResourceExhausted
    // when the peer sent a message over max_message_size (the socket then closes with 1009).
    virtual boost::asio::awaitable<absl::StatusOr<std::string>> Read() = 0;
};

// Runs for the life of the connection; when it returns, the connection is closed (with the close
// frame queued by Close, or dropped if none was).
using WebSocketHandler =
    std::function<boost::asio::awaitable<void>(Context&, std::shared_ptr<WebSocket>)>;

}  // namespace hatongsu::net
