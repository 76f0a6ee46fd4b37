// The signaling use cases behind geckos' HTTP routes (spec §1.3): create a connection (with the
// optional authorization hook, §1.4), take the client's answer, hand out late candidates, close;
// plus the transport's reports (opened, closed) and the reaper of connections that never open
// (§4.2). Bounds pending connections in total and per client address. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/base/thread_annotations.h>
#include <absl/status/statusor.h>
#include <absl/synchronization/mutex.h>

#include "hatongsu/core/clock.h"
#include "services/world/domain/connection_registry.h"
#include "services/world/port/access_verifier.h"
#include "services/world/port/entropy.h"
#include "services/world/port/peer_transport.h"

namespace hatongsu::world {

struct SignalingSettings {
    RegistryLimits limits = {};
    std::size_t capacity = 100;  // open connections (players); route B refuses past it
    bool require_auth = false;
};

struct NewConnection {
    PeerId id;
    std::string sdp;
    std::string user_id;  // the token's subject when authorization is on, else empty
};

class Signaling final {
public:
    // All references are owned by main and outlive this object.
    Signaling(
        SignalingSettings settings,
        PeerTransport& transport,
        Entropy& entropy,
        AccessVerifier& verifier,
        core::Clock& clock)
        : settings_(settings),
          registry_(settings.limits),
          transport_(transport),
          entropy_(entropy),
          verifier_(verifier),
          clock_(clock) {}

    // Route B. `authorization`: the header's value ("Bearer <token>" or the bare token).
    // Unauthenticated: authorization is required and missing or refused; ResourceExhausted: the
    // world is full; Unavailable: too many connections pending (in all or from `address`);
    // Internal: the transport could not create the peer.
    absl::StatusOr<NewConnection> Connect(
        std::optional<std::string_view> authorization, const std::string& address);
    // Route C. NotFound: unknown id; InvalidArgument: the answer was refused by the transport.
    absl::Status Answer(const PeerId& id, std::string_view sdp);
    // Route D: the candidates not handed out yet (drained). NotFound: unknown id.
    absl::StatusOr<std::vector<std::string>> TakeCandidates(const PeerId& id);
    // Route E: closes the peer if known (the transport then reports it closed); false if unknown.
    bool Close(const PeerId& id);

    // From the transport. Opened is false for an id this side does not know (reaped or closed
    // meanwhile): the caller closes that peer.
    bool Opened(const PeerId& id);
    void Closed(const PeerId& id);
    // Closes connections pending longer than the open timeout; returns how many.
    std::size_t Reap();

    std::size_t Connections();
    std::size_t Pending();
    bool Known(const PeerId& id);

private:
    const SignalingSettings settings_;
    absl::Mutex mu_;
    ConnectionRegistry registry_ ABSL_GUARDED_BY(mu_);
    std::map<PeerId, std::deque<std::string>> candidates_ ABSL_GUARDED_BY(mu_);
    PeerTransport& transport_;
    Entropy& entropy_;
    AccessVerifier& verifier_;
    core::Clock& clock_;
};

// "Bearer <token>" (case-insensitive scheme) or a bare token, as the geckos client sends it
// verbatim (§1.4); nullopt for an empty value.
std::optional<std::string_view> TokenFromAuthorization(std::string_view header);

}  // namespace hatongsu::world
