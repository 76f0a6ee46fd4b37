// The PeerTransport port over libs/webrtc's Endpoint. The Endpoint is single-threaded (usrsctp is
// process-global), so it gets a thread of its own; the port is thread-safe and never blocks on the
// world:
// - Send and Close are queued for that thread (in call order per peer) and return at once: Send's
//   answer is OK once queued, and the Endpoint counts what it then drops (a full send buffer, a
//   peer that is gone). The thread takes the whole queue at a time and hands each peer its
//   messages together, so a tick's updates to one peer share packets (Endpoint::SendMany). What
//   waits for that thread is bounded: past kMaxQueuedSendBytes, Send answers ResourceExhausted (the
//   message is dropped), and past kMaxQueuedEvents, incoming messages are dropped before they reach
//   the world (counted in DroppedEvents).
// - CreatePeer and SetRemoteAnswer wait for the thread's answer. That thread never waits for the
//   world in turn: events are handed to a strand of the world's io_context (in order, the events
//   of one read batch as one task), so a caller holding the world's locks cannot deadlock with
//   an event.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "hatongsu/webrtc/endpoint.h"
#include "services/world/config.h"
#include "services/world/port/peer_transport.h"

namespace hatongsu::world::webrtc {

class WebRtcTransport final : public PeerTransport {
public:
    // `world_io` runs the events; the Endpoint binds in Start.
    WebRtcTransport(boost::asio::io_context& world_io, TransportConfig config);
    ~WebRtcTransport() override;

    // Binds the UDP socket: false (and a log line) when it cannot.
    bool Bind();
    uint16_t UdpPort() const;

    void Start(PeerEvents& events) override;
    absl::StatusOr<PeerOffer> CreatePeer(std::string_view id) override;
    absl::Status SetRemoteAnswer(std::string_view id, std::string_view sdp) override;
    absl::Status Send(std::string_view id, std::string_view data, bool binary) override;
    void Close(std::string_view id) override;
    std::size_t PeerCount() override;
    bool Backlogged() override;
    void Stop() override;

    uint64_t DroppedEvents() const { return dropped_events_.load(); }

    static constexpr std::size_t kMaxQueuedSendBytes = 8 * 1024 * 1024;
    static constexpr std::size_t kMaxQueuedEvents = 10000;
    // The largest message we send (the player list at join: ~150 bytes a player) and each peer's
    // SCTP send buffer: a peer that cannot keep up loses positions (the next one supersedes them)
    // instead of holding a megabyte of stale ones.
    static constexpr std::size_t kMaxOutboundMessageBytes = 128 * 1024;
    static constexpr std::size_t kSendBufferBytesPerPeer = 256 * 1024;

private:
    // Runs `fn` on the Endpoint's thread and returns its result (directly when already there);
    // nullopt once the transport is stopped.
    template <typename Fn>
    auto OnRtcThread(Fn fn) -> std::optional<decltype(fn())>;
    // Queues `fn` on the Endpoint's thread; false once the transport is stopped.
    template <typename Fn>
    bool PostToRtc(Fn fn);

    // An Endpoint event on its way to the world.
    struct Event {
        enum Kind { kOpen, kMessage, kClosed } kind;
        hatongsu::webrtc::PeerId id;
        std::string data;  // kMessage
        bool binary = false;
        std::string_view reason;  // kClosed: a static name
    };
    void Hand(Event event);
    void HandOver();

    TransportConfig config_;
    boost::asio::strand<boost::asio::io_context::executor_type> events_strand_;
    boost::asio::io_context rtc_io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> rtc_work_;
    std::unique_ptr<hatongsu::webrtc::Endpoint> endpoint_;  // used on the rtc thread only
    std::thread rtc_thread_;
    std::thread::id rtc_thread_id_;  // set once in the constructor
    std::atomic<PeerEvents*> events_{
        nullptr};  // null: events are dropped (before Start, after Stop)
    std::atomic<std::size_t> peers_{0};
    std::atomic<std::size_t> queued_send_bytes_{0};
    std::atomic<std::size_t> queued_events_{0};
    std::atomic<uint64_t> dropped_events_{0};
    // Held while a task is handed to the rtc thread and while Stop stops it, so that no task is
    // posted to a thread that will never run it.
    std::mutex post_mu_;
    bool stopped_ = false;  // guarded by post_mu_

    // Sends and closes waiting for the rtc thread, per peer in call order; one drain task is
    // queued whenever the outbox is not empty. A tick sends one text to many peers: it is kept
    // once (the last text is reused when the next send repeats it), and each peer's entry holds
    // its index. The two outboxes swap at each drain and keep their peers' entries (and their
    // capacity) from one tick to the next, so a steady game allocates nothing here.
    struct Item {
        uint32_t text = 0;  // index in Outbox::texts
        bool binary = false;
        bool close = false;  // Close(peer) instead of a message
    };
    struct Outbox {
        std::vector<std::string> texts;
        absl::flat_hash_map<std::string, std::vector<Item>> per_peer;
        std::size_t bytes = 0;  // as counted in queued_send_bytes_
    };
    // Appends to `filling_` (outbox_mu_ held), queuing a drain if none is.
    bool Enqueue(std::string_view id, std::string_view data, bool binary, bool close);
    void Drain();
    std::mutex outbox_mu_;
    Outbox filling_;              // guarded by outbox_mu_
    bool drain_queued_ = false;   // guarded by outbox_mu_
    Outbox draining_;             // the rtc thread's
    std::vector<Event> handing_;  // the rtc thread's: events of the current handler
};

}  // namespace hatongsu::world::webrtc
