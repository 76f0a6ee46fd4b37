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
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "hatongsu/core/token_bucket.h"
#include "hatongsu/metrics/metrics.h"
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
    // SocketConnections' batching: at most one write per socket per interval under load.
    std::chrono::milliseconds send_batch_interval{20};
    // Per connection, whatever the frames are: past the rate (a flood), or past this many that
    // are not colyseus frames at all, the connection is closed with 1008.
    core::TokenBucket::Limits frame_rate{.per_second = 20, .burst = 40};
    int max_malformed_frames = 10;
};

// The Connections port on the sockets. Apply only encodes the effects (each frame once, however
// many it goes to) and queues them; a flush on its own strand hands every socket all of its frames
// at once, in order. A flush runs at once when the last one is older than `batch_interval`, else
// when it is: under load a socket gets one write per interval carrying every chat and patch of
// that interval, instead of one write per message (a broadcast to N sockets of M messages costs N
// system calls, not N x M). 0: every Apply is flushed at once.
class SocketConnections final : public Connections {
public:
    SocketConnections(
        boost::asio::any_io_executor executor, std::chrono::milliseconds batch_interval);

    void Apply(const Effects& effects) override;

    void Add(ConnectionId conn, std::shared_ptr<net::WebSocket> socket);
    void Remove(ConnectionId conn);
    std::size_t Size();

private:
    // One encoded frame (or a close) for a list of connections, in the room's order.
    struct Outgoing {
        std::vector<ConnectionId> to;
        std::shared_ptr<const std::string> frame;  // null for a close
        uint16_t close_code = 0;
        std::string close_reason = {};
    };
    void Queue(Outgoing item);
    void Flush();

    absl::Mutex mu_;
    std::unordered_map<ConnectionId, std::shared_ptr<net::WebSocket>> sockets_ ABSL_GUARDED_BY(mu_);

    const std::chrono::milliseconds batch_interval_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::steady_timer timer_;  // on strand_
    absl::Mutex out_mu_;
    std::vector<Outgoing> outbox_ ABSL_GUARDED_BY(out_mu_);
    bool flush_scheduled_ ABSL_GUARDED_BY(out_mu_) = false;
    std::chrono::steady_clock::time_point last_flush_ ABSL_GUARDED_BY(out_mu_);
};

class EventEndpoints final {
public:
    // Both owned by main; they outlive this object.
    EventEndpoints(Gallery& gallery, SocketConnections& sockets, EndpointOptions options)
        : gallery_(gallery), sockets_(sockets), options_(std::move(options)) {}

    void Register(net::Router& router);
    // What /health shows, as metrics (hatongsu_event_*): for Registry::AddReadings.
    std::vector<metrics::Reading> Readings();

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
