// Port: the WebRTC data-channel transport (ICE-lite, DTLS, SCTP, DCEP, SDP), one data channel per
// peer, labelled "geckos.io" (spec §2). The world knows peers only by their connection id, which
// it chooses (24 characters of [A-Za-z0-9], spec §1.6) and passes to CreatePeer.
//
// Shaped after libs/webrtc's Endpoint so that the adapter over it is thin:
//   Start(events)          -> Endpoint::Start(executor, options, PeerEvents{on_open, on_message,
//                             on_closed}) with each callback forwarding to `events`
//   CreatePeer(id)         -> Endpoint::CreatePeer(id, ChannelOptions{label "geckos.io", ...})
//   SetRemoteAnswer(id, s) -> Endpoint::SetRemoteAnswer(id, s)
//   Send(id, data, binary) -> Endpoint::Send(id, data, binary)
//   Close(id)              -> Endpoint::Close(id)
//   PeerCount()            -> Endpoint::PeerCount()
//   Stop()                 -> stop the Endpoint (no event after it returns)
//
// Contract (what the world relies on; the fake in testing/ keeps it too):
// - Every method is thread-safe and never blocks on the network: Send queues the message or
//   refuses it, CreatePeer and SetRemoteAnswer only build or parse SDP and set up state.
// - Events are delivered one at a time (never two at once), never from inside a call to one of
//   these methods, and without holding any lock those methods take (the world's handlers lock
//   their own state and call Send from under it, from other threads too), in order per peer:
//   OnOpen once the data channel is open (the DCEP ACK or the first inbound message, §3.1),
//   OnMessage for each inbound message, then OnClosed.
// - OnClosed comes exactly once for every peer CreatePeer made, whoever closed it (the client,
//   consent freshness timing out, DTLS/SCTP shutdown, or Close here), including peers that never
//   opened. After OnClosed the id is unknown to the transport.
// - Messages sent before OnOpen or after Close are dropped, never queued (§4.2). Messages sent
//   before Close still go out if they can (the {"disconnected":null} that precedes a server-side
//   close, §4.4), best effort.
// - Handlers may call back into the transport (Send, Close) from inside an event.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace hatongsu::world {

// What the transport reports. Implemented by the world's geckos layer (adapter/geckos).
class PeerEvents {
public:
    virtual ~PeerEvents() = default;
    virtual void OnOpen(std::string_view id) = 0;
    // One whole message of the data channel: `binary` for PPID 53/57, text (UTF-8) for 51/56.
    virtual void OnMessage(std::string_view id, std::string_view data, bool binary) = 0;
    // `reason`: a short phrase for the log ("closed", "consent timeout", "dtls failed", ...).
    virtual void OnClosed(std::string_view id, std::string_view reason) = 0;
};

struct PeerOffer {
    std::string sdp;  // the offer (type "offer"), CRLF line endings, spec §2.2
    // Candidate lines for GET …/additional-candidates ("candidate:1 1 udp …", without "a="),
    // whether or not they are also inline in `sdp`. The mid they belong to is "0".
    std::vector<std::string> candidates;
};

class PeerTransport {
public:
    virtual ~PeerTransport() = default;

    // Starts delivering events to `events`, which outlives the transport's last event (main
    // stops the transport before destroying it). Called once, before any other method.
    virtual void Start(PeerEvents& events) = 0;

    // A new peer (server side offers). AlreadyExists for an id in use; ResourceExhausted when
    // the transport holds all the peers it can; Internal for a local failure.
    virtual absl::StatusOr<PeerOffer> CreatePeer(std::string_view id) = 0;
    // The client's answer SDP. NotFound for an unknown id; InvalidArgument for an answer that
    // lacks what the transport needs (ice-ufrag, ice-pwd, fingerprint, setup); FailedPrecondition
    // when an answer was already set.
    virtual absl::Status SetRemoteAnswer(std::string_view id, std::string_view sdp) = 0;
    // One message on the peer's data channel. NotFound for an unknown id; FailedPrecondition
    // when the channel is not open; ResourceExhausted when the peer's send buffer is full (the
    // message is dropped: a slow peer loses messages instead of growing a queue);
    // InvalidArgument when it exceeds the peer's max message size.
    virtual absl::Status Send(std::string_view id, std::string_view data, bool binary) = 0;
    // Closes the peer (stops answering its STUN checks too, §4.4). OnClosed follows. Unknown ids
    // are ignored.
    virtual void Close(std::string_view id) = 0;
    virtual std::size_t PeerCount() = 0;
    // True while messages sent earlier still wait for the transport to take them (it is behind).
    // The world then holds positions back for a tick: only the latest counts, so a busy server
    // relays less often instead of queueing stale positions.
    virtual bool Backlogged() = 0;
    // Stops the transport: no event is delivered once it returns (main calls it at shutdown,
    // before the objects that receive events go away). Idempotent.
    virtual void Stop() = 0;
};

}  // namespace hatongsu::world
