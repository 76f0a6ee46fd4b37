// A WebRTC data-channel endpoint: ICE-lite, DTLS 1.2, SCTP (usrsctp) and DCEP on ONE UDP socket
// for every peer. Server role (geckos.io style): CreatePeer returns our offer, which carries the
// channel; SetRemoteAnswer takes the browser's answer. Client role (tests, the bench):
// AcceptOffer takes a server's offer and returns the answer, then connects.
//
// Threading: everything runs on the executor given to Start, and every method must be called
// from it (usrsctp is process-global: all Endpoints of a process must share one thread). Events
// are called on that executor, never after Stop(); they may call back into the Endpoint.
// Datagrams are written in batches: what a method or handler writes leaves when the executor
// next runs (a posted flush), at the end of a read turn, once 64 are waiting, or at Stop.
// Memory a peer can make us hold is bounded: max_peers, max_message_bytes (both ways),
// max_send_buffer_bytes per peer (Send drops and counts beyond it), SDP and STUN sizes.
//
//   auto ep = webrtc::Endpoint::Start(io.get_executor(), {.public_ip = "203.0.113.10"}, events);
//   absl::StatusOr<webrtc::Offer> offer = (*ep)->CreatePeer("peer-1", {});
//   ... send offer->sdp to the browser, get its answer ...
//   (*ep)->SetRemoteAnswer("peer-1", answer);   // events.on_open fires when the channel is up
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <boost/asio/any_io_executor.hpp>

namespace hatongsu::webrtc {

using PeerId = std::string;

struct EndpointOptions {
    std::string bind_address = "0.0.0.0";
    uint16_t udp_port = 0;  // 0: ephemeral
    // The address put in the offer's host candidate; empty means bind_address (which then must
    // not be a wildcard for the server role).
    std::string public_ip{};
    uint16_t public_port = 0;  // 0: the bound port
    size_t max_peers = 1000;
    // SO_RCVBUF/SO_SNDBUF asked for the shared UDP socket (the kernel caps it at
    // net.core.rmem_max / wmem_max); every peer's bursts land in this one buffer.
    size_t socket_buffer_bytes = 4 * 1024 * 1024;
    // Largest message either way; advertised as a=max-message-size.
    size_t max_message_bytes = 262144;
    // Largest message a peer may send us (reassembly stops there; advertised as
    // a=max-message-size); 0: max_message_bytes. Outbound stays bounded by max_message_bytes.
    size_t max_received_message_bytes = 0;
    // SCTP send buffer per peer; must be >= max_message_bytes.
    size_t max_send_buffer_bytes = 1024 * 1024;
    // No valid STUN or DTLS from a connected peer for this long closes it.
    std::chrono::milliseconds consent_timeout{5000};
    // A peer whose data channel is not open this long after creation is closed.
    std::chrono::milliseconds open_timeout{15000};
    // Client role: interval of our STUN checks (consent) once connected.
    std::chrono::milliseconds keepalive_interval{1000};
    // Client role: answer a=setup:passive, making the offerer the DTLS client (browsers answer
    // active; this exercises the other role).
    bool answer_passive = false;
};

// The channel the server opens (spec §2.1: geckos.io, unordered, no retransmissions).
struct ChannelOptions {
    std::string label = "geckos.io";
    bool ordered = false;
    std::optional<uint32_t> max_retransmits = 0;  // unset: reliable
};

struct Offer {
    std::string sdp;
    // Candidate attribute values as RTCIceCandidate.candidate wants them ("candidate:1 1 udp
    // ..."), for a geckos additional-candidates route; they are also inside `sdp`.
    std::vector<std::string> candidates;
};

enum class CloseReason {
    kLocal,                // Close() was called
    kRemoteClosed,         // close_notify, SCTP ABORT/SHUTDOWN or the channel's stream reset
    kConsentTimeout,       // no STUN/DTLS from the peer for consent_timeout
    kOpenTimeout,          // the channel never opened within open_timeout
    kFingerprintMismatch,  // the DTLS certificate is not the one in the SDP
    kProtocolError,        // DTLS alert or failure, SCTP could not start
};
std::string_view CloseReasonName(CloseReason reason);

struct PeerEvents {
    std::function<void(const PeerId&)> on_open;
    std::function<void(const PeerId&, std::string_view data, bool binary)> on_message;
    std::function<void(const PeerId&, CloseReason)> on_closed;  // once per opened-or-not peer
    // Optional: a turn of reading datagrams ended (after the events it fired), the moment to
    // hand those events on together.
    std::function<void()> on_read_done;
};

// Every drop is counted here; nothing a peer sends is answered when it is malformed.
struct EndpointCounters {
    uint64_t stun_answered = 0;
    uint64_t stun_malformed = 0;      // parse failure, missing USERNAME, bad FINGERPRINT
    uint64_t stun_bad_integrity = 0;  // MESSAGE-INTEGRITY missing or wrong
    uint64_t stun_unknown_ufrag = 0;
    uint64_t stun_unexpected = 0;      // not a Binding request/success we expect
    uint64_t dtls_unknown_source = 0;  // DTLS from an address ICE has not bound
    uint64_t unknown_packets = 0;      // neither STUN nor DTLS by the first byte
    uint64_t dcep_refused = 0;         // unknown DCEP type, second channel, bad OPEN
    uint64_t received_too_large = 0;   // inbound message over max_message_bytes, discarded
    uint64_t sent_dropped_too_large = 0;
    uint64_t sent_dropped_backpressure = 0;  // the peer's send buffer was full
    uint64_t udp_send_errors = 0;
    uint64_t datagrams_sent = 0;
    uint64_t closed_consent_timeout = 0;
    uint64_t closed_open_timeout = 0;
    uint64_t closed_fingerprint_mismatch = 0;
    uint64_t closed_protocol_error = 0;
};

struct OutgoingMessage {
    std::string_view data;
    bool binary = false;
};

class Endpoint final {
public:
    // Binds the UDP socket and starts receiving. InvalidArgument for bad options,
    // Unavailable when the socket cannot be bound.
    static absl::StatusOr<std::unique_ptr<Endpoint>> Start(
        boost::asio::any_io_executor executor, EndpointOptions options, PeerEvents events);
    ~Endpoint();  // Stop()
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    // Server role. AlreadyExists (id in use), ResourceExhausted (max_peers),
    // FailedPrecondition (no address to advertise).
    absl::StatusOr<Offer> CreatePeer(const PeerId& id, const ChannelOptions& channel);
    // NotFound (unknown peer), InvalidArgument (bad SDP), FailedPrecondition (answer already set).
    absl::Status SetRemoteAnswer(const PeerId& id, std::string_view sdp);
    // Client role: returns our answer and starts connecting to the offer's candidate.
    // InvalidArgument when the offer is bad or has no usable IP candidate.
    absl::StatusOr<std::string> AcceptOffer(const PeerId& id, std::string_view offer_sdp);

    // NotFound, FailedPrecondition (channel not open), InvalidArgument (over the size limit),
    // ResourceExhausted (send buffer full: the message is dropped). Every failure drops the
    // message; the last two are counted.
    absl::Status Send(const PeerId& id, std::string_view data, bool binary);
    // Several messages to one peer, in order, bundled into as few packets as they fit; one
    // status per message, as Send would return.
    std::vector<absl::Status> SendMany(const PeerId& id, std::span<const OutgoingMessage> messages);
    // Graceful: SCTP ABORT and DTLS close_notify go out; on_closed(kLocal) fires. No-op when
    // unknown.
    void Close(const PeerId& id);
    bool IsOpen(const PeerId& id) const;
    size_t PeerCount() const;
    uint16_t LocalPort() const;
    const EndpointCounters& Counters() const;
    // Closes the socket and drops every peer without sending anything or firing events.
    void Stop();

    struct Impl;

private:
    explicit Endpoint(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<Impl> impl_;
};

}  // namespace hatongsu::webrtc
