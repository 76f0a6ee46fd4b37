// The geckos layer over the PeerTransport port, both ways:
// - GeckosChannels (the Channels port): encodes the world's messages (codec.h) and sends them;
//   a reliable message goes with a fresh 24-character ID per recipient, `runs` times, once at
//   once and then every `interval` (spec §3.4), the later copies sent by Pump(). Nothing waits
//   for a slow peer: a message the transport refuses (its send buffer full) is dropped and
//   counted, and the copies still due per peer are bounded (the oldest schedule goes first).
// - GeckosEvents (the PeerEvents the transport reports to): opened -> signaling + game;
//   each message -> parsed (bounded), reliable copies deduplicated per peer for 15 s (bounded),
//   decoded into the game's messages or dropped and counted; closed -> signaling + game.
// Both thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include "hatongsu/core/clock.h"
#include "services/world/adapter/geckos/codec.h"
#include "services/world/port/channels.h"
#include "services/world/port/entropy.h"
#include "services/world/port/peer_transport.h"
#include "services/world/usecase/game.h"
#include "services/world/usecase/signaling.h"

namespace hatongsu::world::geckos {

struct ReliableOptions {
    int runs = 10;
    std::chrono::milliseconds interval{150};
    std::size_t max_scheduled_per_peer = 64;  // reliable messages with copies still due
};

struct ChannelStats {
    std::uint64_t sent = 0;
    std::uint64_t refused = 0;  // the transport would not take it (slow or gone peer)
};

class GeckosChannels final : public Channels {
public:
    // All references are owned by main and outlive this object.
    GeckosChannels(
        PeerTransport& transport, Entropy& entropy, core::Clock& clock, ReliableOptions options)
        : transport_(transport), entropy_(entropy), clock_(clock), options_(options) {}

    void Apply(const Effects& effects) override;
    // Sends the reliable copies that are due.
    void Pump();
    // The peer is gone: its copies still due are dropped.
    void Forget(const PeerId& peer);

    ChannelStats Stats();
    std::size_t Scheduled();  // reliable messages with copies still due, all peers

private:
    struct Copy {
        std::string text;
        int remaining = 0;
        std::chrono::system_clock::time_point next;
    };
    void SendText(const PeerId& peer, const std::string& text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

    PeerTransport& transport_;
    Entropy& entropy_;
    core::Clock& clock_;
    const ReliableOptions options_;
    absl::Mutex mu_;
    std::map<PeerId, std::deque<Copy>> scheduled_ ABSL_GUARDED_BY(mu_);
    ChannelStats stats_ ABSL_GUARDED_BY(mu_);
};

struct InboundOptions {
    CodecLimits codec = {};
    std::chrono::milliseconds dedupe_window{15000};
    std::size_t dedupe_capacity = 128;  // reliable IDs remembered per peer
};

class GeckosEvents final : public PeerEvents {
public:
    // All references are owned by main and outlive this object.
    GeckosEvents(
        PeerTransport& transport,
        Signaling& signaling,
        Game& game,
        GeckosChannels& channels,
        core::Clock& clock,
        InboundOptions options)
        : transport_(transport),
          signaling_(signaling),
          game_(game),
          channels_(channels),
          clock_(clock),
          options_(options) {}

    void OnOpen(std::string_view id) override;
    void OnMessage(std::string_view id, std::string_view data, bool binary) override;
    void OnClosed(std::string_view id, std::string_view reason) override;

private:
    // True when `reliable_id` was seen from this peer within the window (else it is remembered).
    bool SeenBefore(const PeerId& peer, const std::string& reliable_id);

    PeerTransport& transport_;
    Signaling& signaling_;
    Game& game_;
    GeckosChannels& channels_;
    core::Clock& clock_;
    const InboundOptions options_;
    absl::Mutex mu_;
    // Per open peer: reliable IDs in arrival order, with when they were seen.
    std::map<PeerId, std::deque<std::pair<std::string, std::chrono::system_clock::time_point>>>
        seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hatongsu::world::geckos
