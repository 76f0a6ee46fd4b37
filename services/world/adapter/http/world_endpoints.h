// The world server's inbound HTTP adapter on libs/net: the geckos.io v3 signaling routes under
// /.wrtc/v2 (spec §1.3: POST connections, POST connections/:id/remote-description, GET
// connections/:id/additional-candidates, POST connections/:id/close, and OPTIONS on each), and
// GET /health with the player count. CORS on every answer, errors included, comes from the
// server (net::ServerOptions::cors_origins). Also the tick: the game's coalesced updates, the
// reliable copies due, and the reaper of connections that never open. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "hatongsu/metrics/metrics.h"
#include "hatongsu/net/router.h"
#include "services/world/adapter/geckos/geckos_channels.h"
#include "services/world/usecase/game.h"
#include "services/world/usecase/signaling.h"

namespace hatongsu::world::http {

struct EndpointOptions {
    std::chrono::milliseconds tick{10};         // 100 Hz
    std::size_t answer_body_limit = 16 * 1024;  // an SDP answer is under 1 KiB
};

class WorldEndpoints final {
public:
    // All owned by main; they outlive this object.
    WorldEndpoints(
        Signaling& signaling,
        Game& game,
        geckos::GeckosChannels& channels,
        PeerTransport& transport,
        EndpointOptions options)
        : signaling_(signaling),
          game_(game),
          channels_(channels),
          transport_(transport),
          options_(options) {}

    void Register(net::Router& router);
    // What /health shows, as metrics (hatongsu_world_*): for Registry::AddReadings.
    std::vector<metrics::Reading> Readings();

    // One tick: coalesced positions out (unless the transport is still busy with earlier sends),
    // due reliable copies out, stale connections reaped.
    void TickOnce();
    // TickOnce every options.tick until Stop() (noticed within one tick); co_spawn it.
    boost::asio::awaitable<void> RunTicker();
    void Stop() { stopped_.store(true); }

private:
    Signaling& signaling_;
    Game& game_;
    geckos::GeckosChannels& channels_;
    PeerTransport& transport_;
    const EndpointOptions options_;
    std::atomic<bool> stopped_{false};
};

// True for a connection id as geckos makes them: 24 characters of [A-Za-z0-9] (§1.6).
bool IsConnectionId(std::string_view id);

}  // namespace hatongsu::world::http
