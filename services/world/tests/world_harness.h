// The world server without its HTTP and WebRTC edges, for tests: game, signaling and the geckos
// layer wired to the fake transport, on a fake clock, as main wires them to the real ones.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "hatongsu/testkit/fake_clock.h"
#include "services/world/adapter/geckos/geckos_channels.h"
#include "services/world/testing/fake_peer_transport.h"
#include "services/world/testing/fakes.h"
#include "services/world/usecase/game.h"
#include "services/world/usecase/signaling.h"

namespace hatongsu::world::testing_fakes {

struct HarnessOptions {
    WorldSettings world = {};
    SignalingSettings signaling = {};
    geckos::ReliableOptions reliable = {};
    geckos::InboundOptions inbound = {};
};

struct WorldHarness {
    explicit WorldHarness(HarnessOptions o = {})
        : channels(transport, entropy, clock, o.reliable),
          game(o.world, channels, entropy, clock),
          signaling(o.signaling, transport, entropy, verifier, clock),
          events(transport, signaling, game, channels, clock, o.inbound) {
        transport.Start(events);
    }

    // A client connects through signaling and its channel opens; returns its id.
    std::string Join(const std::string& address = "198.51.100.1") {
        auto c = signaling.Connect(std::nullopt, address);
        EXPECT_TRUE(c.ok()) << c.status();
        transport.Open(c->id);
        transport.Deliver();
        return c->id;
    }
    void Tick() {
        game.Tick();
        channels.Pump();
        signaling.Reap();
        transport.Deliver();
    }

    testkit::FakeClock clock;
    SequentialEntropy entropy;
    FakeAccessVerifier verifier;
    FakePeerTransport transport;
    geckos::GeckosChannels channels;
    Game game;
    Signaling signaling;
    geckos::GeckosEvents events;
};

// One received message: its event name and data, with the reliable wrapper's ID if it had one.
struct Received {
    std::string event;
    boost::json::value data;
    std::string reliable_id;
};

inline Received Decode(const std::string& text) {
    boost::json::object o = boost::json::parse(text).as_object();
    Received r;
    r.event = std::string(o.begin()->key());
    r.data = o.begin()->value();
    if (r.data.is_object() && r.data.as_object().contains("RELIABLE")) {
        r.reliable_id = std::string(r.data.at("ID").as_string());
        r.data = r.data.at("MESSAGE");
    }
    return r;
}

inline std::vector<Received> DecodeAll(const std::vector<std::string>& texts) {
    std::vector<Received> out;
    for (const std::string& t : texts) {
        out.push_back(Decode(t));
    }
    return out;
}

}  // namespace hatongsu::world::testing_fakes
