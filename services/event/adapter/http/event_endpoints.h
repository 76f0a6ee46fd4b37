// The event server's inbound adapter on libs/net: colyseus matchmaking routes (spec section 2),
// the room's WebSocket endpoint `/<processId>/<roomId>?sessionId=…` (section 3), /health, and the
// admin routes (POST /admin/sessions/:sessionId/kick|mute|unmute with an admin's Bearer token).
// Also the Connections port: encodes the room's effects (adapter/colyseus/codec.h) and queues
// them on the sockets. Thread-safe; the Gallery must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <unordered_map>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <boost/asio/awaitable.hpp>

#include "hatongsu/net/router.h"
#include "hatongsu/net/websocket.h"
#include "services/event/port/connections.h"
#include "services/event/usecase/gallery.h"

namespace hatongsu::event::http {

struct EndpointOptions {
    net::WebSocketOptions websocket = {
        .max_message_size = 4096,
        .send_queue_limit = 1024 * 1024,
        .ping_interval = std::chrono::milliseconds(3000),
        .max_missed_pongs = 2,
        .write_timeout = std::chrono::milliseconds(15000),
    };
    std::chrono::milliseconds patch_interval{50};
};

class SocketConnections final : public Connections {
public:
    void Apply(const Effects& effects) override;

    void Add(ConnectionId conn, std::shared_ptr<net::WebSocket> socket);
    void Remove(ConnectionId conn);
    std::size_t Size();

private:
    std::shared_ptr<net::WebSocket> Find(ConnectionId conn) ABSL_SHARED_LOCKS_REQUIRED(mu_);

    absl::Mutex mu_;
    std::unordered_map<ConnectionId, std::shared_ptr<net::WebSocket>> sockets_ ABSL_GUARDED_BY(mu_);
};

class EventEndpoints final {
public:
    // Both owned by main; they outlive this object.
    EventEndpoints(Gallery& gallery, SocketConnections& sockets, EndpointOptions options)
        : gallery_(gallery), sockets_(sockets), options_(std::move(options)) {}

    void Register(net::Router& router);

    // The patch tick, every patch_interval until Stop() (which it notices within one interval);
    // co_spawn it on the io_context.
    boost::asio::awaitable<void> RunTicker();
    // Shutdown: stops the ticker, and matchmaking answers 503 from now on.
    void Stop();

private:
    boost::asio::awaitable<net::Response> Matchmake(net::Context& ctx);
    boost::asio::awaitable<net::Response> Listing(net::Context& ctx);
    boost::asio::awaitable<void> Socket(net::Context& ctx, std::shared_ptr<net::WebSocket> ws);

    Gallery& gallery_;
    SocketConnections& sockets_;
    const EndpointOptions options_;
    std::atomic<ConnectionId> next_conn_{1};
    std::atomic<bool> stopped_{false};
};

}  // namespace hatongsu::event::http
