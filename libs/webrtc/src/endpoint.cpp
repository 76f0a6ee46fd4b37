#include "hatongsu/webrtc/endpoint.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <openssl/rand.h>

#include "hatongsu/webrtc/datagram_batch.h"
#include "hatongsu/webrtc/dcep.h"
#include "hatongsu/webrtc/dtls.h"
#include "hatongsu/webrtc/sctp.h"
#include "hatongsu/webrtc/sdp.h"
#include "hatongsu/webrtc/stun.h"

namespace hatongsu::webrtc {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTick = std::chrono::milliseconds(10);
// Housekeeping (timeouts, client checks) runs every this many ticks.
constexpr int kHousekeepingTicks = 5;
constexpr size_t kReceiveBatch = 64;
constexpr size_t kMaxAddressesPerPeer = 8;
constexpr uint16_t kLocalSctpPort = 5000;
// A nominated new address takes over once the current one has sent nothing that decrypts for
// this long (SCTP heartbeats every second keep a live path well inside it).
constexpr auto kPathSilence = std::chrono::milliseconds(2500);

size_t ReceiveLimit(const EndpointOptions& options) {
    return options.max_received_message_bytes != 0 ? options.max_received_message_bytes
                                                   : options.max_message_bytes;
}

std::string RandomIceString(size_t length) {
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes(length, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(length));
    for (char& c : bytes) {
        c = kChars[static_cast<uint8_t>(c) % 64];
    }
    return bytes;
}

StunTransactionId RandomTransactionId() {
    StunTransactionId id{};
    RAND_bytes(id.data(), static_cast<int>(id.size()));
    return id;
}

std::string AddressBytes(const asio::ip::address& address) {
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        return std::string(b.begin(), b.end());
    }
    const auto b = address.to_v6().to_bytes();
    return std::string(b.begin(), b.end());
}

std::string Be32(uint32_t v) {
    std::string out(4, '\0');
    for (int i = 0; i < 4; ++i) {
        out[i] = static_cast<char>(v >> (24 - 8 * i));
    }
    return out;
}

}  // namespace

std::string_view CloseReasonName(CloseReason reason) {
    switch (reason) {
        case CloseReason::kLocal:
            return "closed";
        case CloseReason::kRemoteClosed:
            return "remote_closed";
        case CloseReason::kConsentTimeout:
            return "consent_timeout";
        case CloseReason::kOpenTimeout:
            return "open_timeout";
        case CloseReason::kFingerprintMismatch:
            return "fingerprint_mismatch";
        case CloseReason::kProtocolError:
            return "protocol_error";
    }
    return "unknown";
}

namespace {

// A client-role peer's own UDP socket: like a browser, each connection has its own port, since
// the server side tells peers apart by source address.
struct PeerSocket {
    explicit PeerSocket(const asio::any_io_executor& ex) : socket(ex) {}
    udp::socket socket;
};

struct Peer {
    PeerId id;
    std::shared_ptr<PeerSocket> own_socket;  // client role only
    bool client_role = false;                // we answered an offer
    std::string local_ufrag;
    std::string local_pwd;
    std::string remote_ufrag;
    std::string remote_pwd;
    std::optional<Sha256Fingerprint> remote_fingerprint;
    std::optional<DtlsRole> dtls_role;
    uint16_t remote_sctp_port = 5000;
    size_t remote_max_message = 65536;
    std::optional<udp::endpoint> remote;   // where we send: bound by ICE
    std::vector<udp::endpoint> addresses;  // every validated source address
    Clock::time_point last_authentic;      // last DTLS record that decrypted (after the handshake)
    bool ice_connected = false;            // client role: got a Binding success
    std::unique_ptr<DtlsSession> dtls;
    bool fingerprint_verified = false;
    std::unique_ptr<SctpAssociation> sctp;
    ChannelOptions channel;  // server role: what we open
    SctpSendPolicy policy;
    std::optional<uint16_t> sid;
    bool open_sent = false;
    bool open = false;
    bool closed = false;
    bool silent = false;  // drop outgoing datagrams (ungraceful teardown)
    Clock::time_point created;
    Clock::time_point last_seen;
    Clock::time_point next_check;
};

}  // namespace

struct Endpoint::Impl : std::enable_shared_from_this<Endpoint::Impl> {
    Impl(asio::any_io_executor ex, EndpointOptions opts, PeerEvents evs)
        : executor(ex), options(std::move(opts)), events(std::move(evs)), socket(ex), timer(ex) {}

    asio::any_io_executor executor;
    EndpointOptions options;
    PeerEvents events;
    udp::socket socket;
    asio::steady_timer timer;
    std::shared_ptr<DtlsContext> dtls_context;
    EndpointCounters counters;
    bool stopped = false;
    int tick_count = 0;
    uint16_t local_port = 0;
    std::string advertised_ip;
    uint16_t advertised_port = 0;
    uint64_t next_session_id = 1;

    std::unordered_map<PeerId, std::unique_ptr<Peer>> peers;
    std::unordered_map<std::string, Peer*> by_ufrag;
    std::map<udp::endpoint, Peer*> by_address;
    // Closed peers wait here until the current dispatch has unwound.
    std::vector<std::unique_ptr<Peer>> graveyard;
    bool reap_posted = false;

    DatagramReceiver received;  // what one read took (any socket's; used within a handler)
    // What handlers write goes out together once the handler is done (one posted flush).
    DatagramBatch outgoing;
    bool flush_posted = false;

    // ---- I/O loop -------------------------------------------------------------------------

    // Waits until the socket is readable, then reads it a batch per system call until a read
    // comes back short. Each wait re-registers the socket with epoll (asio does), and the
    // kernel then reports data that is already waiting, so nothing sits unread between reads.
    void Receive() {
        socket.async_wait(
            udp::socket::wait_read,
            [self = shared_from_this()](const boost::system::error_code& ec) {
                if (self->stopped || ec == asio::error::operation_aborted) {
                    return;
                }
                self->ReadSocket();
            });
    }

    // One turn of reading `s`: a batch per system call, `deliver(data, from)` for each datagram
    // (false: stop, the socket's owner is gone), bounded so timers and the world's sends get
    // their turn. True when the socket was left empty (a read came back short).
    template <typename Deliver>
    bool ReadTurn(udp::socket& s, Deliver deliver) {
        size_t taken = 0;
        while (!stopped && taken < kReceiveBatch) {
            const size_t got = received.Receive(s.native_handle());
            for (size_t i = 0; i < got && !stopped; ++i) {
                if (!deliver(received.Data(i), received.Sender(i))) {
                    return true;
                }
            }
            taken += got;
            if (got < DatagramReceiver::kSlots) {
                return true;
            }
        }
        return false;
    }

    // Past kReceiveBatch, the rest is read on a turn of its own.
    void ReadSocket() {
        const bool drained = ReadTurn(socket, [this](std::string_view d, const udp::endpoint& f) {
            OnDatagram(d, f);
            return true;
        });
        if (stopped) {
            return;
        }
        EndReadTurn();
        if (drained) {
            Receive();
        } else {
            asio::post(executor, [self = shared_from_this()] {
                if (!self->stopped) {
                    self->ReadSocket();
                }
            });
        }
    }

    // What the turn wrote (acknowledgements, answers) leaves now, and its events go on.
    void EndReadTurn() {
        Flush();
        if (events.on_read_done && !stopped) {
            events.on_read_done();
        }
    }

    void ScheduleTick() {
        timer.expires_after(kTick);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (self->stopped || ec) {
                return;
            }
            self->OnTick();
            self->ScheduleTick();
        });
    }

    // Queues a datagram; it leaves when the current handler is done (or at once when the batch
    // is full). Whoever closes a socket flushes first.
    void Queue(udp::socket& via, const udp::endpoint& to, std::string_view data) {
        if (stopped || !via.is_open()) {
            return;
        }
        if (!outgoing.Add(via.native_handle(), to, data)) {
            Flush();
            if (!outgoing.Add(via.native_handle(), to, data)) {
                ++counters.udp_send_errors;  // larger than a whole batch: no datagram is
                return;
            }
        }
        if (!flush_posted) {
            flush_posted = true;
            asio::post(executor, [self = shared_from_this()] {
                self->flush_posted = false;
                self->Flush();
            });
        }
    }

    void Flush() {
        if (outgoing.Empty()) {
            return;
        }
        const DatagramBatch::Result result = outgoing.Flush();
        counters.datagrams_sent += result.sent;
        counters.udp_send_errors += result.failed;
    }

    void SendTo(const udp::endpoint& to, std::string_view data) { Queue(socket, to, data); }

    void SendToPeer(Peer& peer, std::string_view data) {
        if (peer.silent || !peer.remote.has_value()) {
            return;
        }
        Queue(peer.own_socket ? peer.own_socket->socket : socket, *peer.remote, data);
    }

    // As Receive, for a client peer's own socket.
    void ReceiveOwn(const PeerId& id, std::shared_ptr<PeerSocket> ps) {
        PeerSocket& ref = *ps;
        ref.socket.async_wait(
            udp::socket::wait_read, [self = shared_from_this(), id, ps = std::move(ps)](
                                        const boost::system::error_code& ec) mutable {
                if (self->stopped || ec == asio::error::operation_aborted) {
                    return;
                }
                self->ReadOwn(id, std::move(ps));
            });
    }

    // As ReadSocket, for the socket of peer `id` while it is still that peer's.
    void ReadOwn(const PeerId& id, std::shared_ptr<PeerSocket> ps) {
        auto alive = [&]() -> Peer* {
            auto it = peers.find(id);
            return it != peers.end() && it->second->own_socket == ps ? it->second.get() : nullptr;
        };
        if (alive() == nullptr) {
            return;
        }
        const bool drained = ReadTurn(ps->socket, [&](std::string_view d, const udp::endpoint& f) {
            Peer* peer = alive();
            if (peer != nullptr) {
                OnOwnDatagram(*peer, d, f);
            }
            return peer != nullptr;
        });
        if (stopped) {
            return;
        }
        EndReadTurn();
        if (alive() == nullptr) {
            return;  // the peer is gone (its socket closed)
        }
        if (drained) {
            ReceiveOwn(id, std::move(ps));
        } else {
            asio::post(executor, [self = shared_from_this(), id, ps = std::move(ps)]() mutable {
                if (!self->stopped) {
                    self->ReadOwn(id, std::move(ps));
                }
            });
        }
    }

    // A datagram on a client peer's own socket: only its server may talk to it.
    void OnOwnDatagram(Peer& peer, std::string_view data, const udp::endpoint& from) {
        if (!peer.remote.has_value() || from != *peer.remote || data.empty()) {
            ++counters.unknown_packets;
            return;
        }
        const uint8_t first = static_cast<uint8_t>(data[0]);
        if (first <= 3) {
            auto msg = ParseStun(data);
            if (!msg.ok()) {
                ++counters.stun_malformed;
            } else if (msg->type == static_cast<uint16_t>(StunType::kBindingSuccess)) {
                OnBindingSuccess(peer, data, *msg);
            } else if (msg->type == static_cast<uint16_t>(StunType::kBindingRequest)) {
                OnBindingRequest(data, *msg, from, peer.own_socket.get());
            } else {
                ++counters.stun_unexpected;
            }
        } else if (first >= 20 && first <= 63) {
            OnDtls(peer, data, from);
        } else {
            ++counters.unknown_packets;
        }
        Reap();
    }

    // ---- demultiplexing (RFC 7983) --------------------------------------------------------

    void OnDatagram(std::string_view data, const udp::endpoint& from) {
        if (data.empty()) {
            ++counters.unknown_packets;
            return;
        }
        const uint8_t first = static_cast<uint8_t>(data[0]);
        if (first <= 3) {
            OnStun(data, from);
        } else if (first >= 20 && first <= 63) {
            OnDtls(data, from);
        } else {
            ++counters.unknown_packets;
        }
        Reap();
    }

    void OnStun(std::string_view data, const udp::endpoint& from) {
        auto msg = ParseStun(data);
        if (!msg.ok()) {
            ++counters.stun_malformed;
            return;
        }
        if (msg->type == static_cast<uint16_t>(StunType::kBindingRequest)) {
            OnBindingRequest(data, *msg, from);
        } else {
            ++counters.stun_unexpected;
        }
    }

    // `via`: the client peer socket the request came in on (the reply leaves from it).
    void OnBindingRequest(
        std::string_view data,
        const StunMessage& msg,
        const udp::endpoint& from,
        PeerSocket* via = nullptr) {
        const StunAttribute* username = msg.Find(stun_attr::kUsername);
        if (username == nullptr) {
            ++counters.stun_malformed;
            return;
        }
        const size_t colon = username->value.find(':');
        if (colon == std::string::npos) {
            ++counters.stun_malformed;
            return;
        }
        auto it = by_ufrag.find(username->value.substr(0, colon));
        if (it == by_ufrag.end()) {
            ++counters.stun_unknown_ufrag;
            return;
        }
        Peer& peer = *it->second;
        if (!VerifyMessageIntegrity(data, msg, peer.local_pwd)) {
            ++counters.stun_bad_integrity;
            return;
        }
        if (!VerifyFingerprint(data, msg, /*require=*/false)) {
            ++counters.stun_malformed;
            return;
        }
        const std::string response =
            StunBuilder(static_cast<uint16_t>(StunType::kBindingSuccess), msg.transaction_id)
                .Add(
                    stun_attr::kXorMappedAddress,
                    EncodeXorMappedAddress(
                        {AddressBytes(from.address()), from.port()}, msg.transaction_id))
                .Finish(peer.local_pwd, /*fingerprint=*/true);
        Queue(via != nullptr ? via->socket : socket, from, response);
        ++counters.stun_answered;
        peer.last_seen = Clock::now();
        const bool nominated = msg.Find(stun_attr::kUseCandidate) != nullptr;
        if (!peer.client_role && !peer.remote.has_value()) {
            AddAddress(peer, from);
            peer.remote = from;
        } else if (!peer.client_role && nominated && *peer.remote != from) {
            // A check can be replayed from any address by someone who saw it, so a nomination
            // alone does not move the peer while its current path still carries authentic
            // DTLS (our 1 s heartbeats are answered); records that decrypt from the new address,
            // or silence on the old one, do.
            AddAddress(peer, from);
            if (Clock::now() - peer.last_authentic > kPathSilence) {
                peer.remote = from;
            }
        }
        MaybeStartDtls(peer);
    }

    void OnBindingSuccess(Peer& peer, std::string_view data, const StunMessage& msg) {
        if (!VerifyMessageIntegrity(data, msg, peer.remote_pwd)) {
            ++counters.stun_bad_integrity;
            return;
        }
        if (!VerifyFingerprint(data, msg, false)) {
            ++counters.stun_malformed;
            return;
        }
        peer.last_seen = Clock::now();
        if (!peer.ice_connected) {
            peer.ice_connected = true;
            peer.next_check = Clock::now() + options.keepalive_interval;
            MaybeStartDtls(peer);
        }
    }

    // Routes DTLS from `from` to the peer (bounded per peer); where we send is `remote`.
    void AddAddress(Peer& peer, const udp::endpoint& from) {
        if (std::find(peer.addresses.begin(), peer.addresses.end(), from) == peer.addresses.end()) {
            auto existing = by_address.find(from);
            if (existing != by_address.end() && existing->second != &peer) {
                // The address moved to another peer (a new connection from the same port).
                auto& old = existing->second->addresses;
                old.erase(std::remove(old.begin(), old.end(), from), old.end());
            }
            if (peer.addresses.size() >= kMaxAddressesPerPeer) {
                // Bounded: a peer with valid credentials cannot grow the map by changing ports.
                auto oldest = by_address.find(peer.addresses.front());
                if (oldest != by_address.end() && oldest->second == &peer) {
                    by_address.erase(oldest);
                }
                peer.addresses.erase(peer.addresses.begin());
            }
            by_address[from] = &peer;
            peer.addresses.push_back(from);
        }
    }

    void OnDtls(std::string_view data, const udp::endpoint& from) {
        auto it = by_address.find(from);
        if (it == by_address.end()) {
            ++counters.dtls_unknown_source;
            return;
        }
        OnDtls(*it->second, data, from);
    }

    void OnDtls(Peer& peer, std::string_view data, const udp::endpoint& from) {
        if (!peer.dtls) {
            // In the server-offers flow the ClientHello may beat the answer: act as the DTLS
            // server unless the answer already said otherwise.
            if (peer.dtls_role.value_or(DtlsRole::kServer) != DtlsRole::kServer) {
                ++counters.dtls_unknown_source;
                return;
            }
            peer.dtls_role = DtlsRole::kServer;
            if (!CreateDtls(peer)) {
                return;
            }
        }
        DtlsInput in = peer.dtls->HandleDatagram(data);
        if (!in.error.ok()) {
            ++counters.closed_protocol_error;
            ClosePeer(peer, CloseReason::kProtocolError, /*graceful=*/false);
            return;
        }
        // Only what decrypts counts as the peer (a forged or replayed datagram must neither keep
        // a dead peer alive nor move it); before the handshake, the open timeout bounds it.
        const bool authentic = !in.records.empty() || in.closed || in.handshake_completed;
        if (authentic || !peer.dtls->Connected()) {
            peer.last_seen = Clock::now();
        }
        if (authentic) {
            peer.last_authentic = Clock::now();
            if (!peer.client_role && peer.remote.has_value() && *peer.remote != from) {
                peer.remote = from;
            }
        }
        if (in.handshake_completed) {
            MaybeStartSctp(peer);
        }
        if (peer.closed) {
            return;
        }
        for (const std::string& record : in.records) {
            if (peer.sctp) {
                peer.sctp->HandlePacket(record);
            }
        }
        DrainSctp(peer);
        if (in.closed && !peer.closed) {
            ClosePeer(peer, CloseReason::kRemoteClosed, false);
        }
    }

    // ---- DTLS, SCTP, DCEP -----------------------------------------------------------------

    bool CreateDtls(Peer& peer) {
        Peer* p = &peer;
        auto session = DtlsSession::Create(
            *dtls_context, *peer.dtls_role, [this, p](std::string_view d) { SendToPeer(*p, d); });
        if (!session.ok()) {
            ++counters.closed_protocol_error;
            ClosePeer(peer, CloseReason::kProtocolError, false);
            return false;
        }
        peer.dtls = std::move(*session);
        return true;
    }

    // Starts the handshake when we are the DTLS client and ICE has an address.
    void MaybeStartDtls(Peer& peer) {
        if (peer.dtls || peer.closed || peer.dtls_role != DtlsRole::kClient ||
            !peer.remote.has_value() || !peer.remote_fingerprint.has_value()) {
            return;
        }
        if (peer.client_role && !peer.ice_connected) {
            return;
        }
        if (!CreateDtls(peer)) {
            return;
        }
        if (!peer.dtls->Start().ok()) {
            ++counters.closed_protocol_error;
            ClosePeer(peer, CloseReason::kProtocolError, false);
        }
    }

    // Once the handshake is done and the SDP fingerprint known: verify, then start SCTP.
    void MaybeStartSctp(Peer& peer) {
        if (peer.closed || peer.sctp || !peer.dtls || !peer.dtls->Connected() ||
            !peer.remote_fingerprint.has_value()) {
            return;
        }
        auto fp = peer.dtls->PeerFingerprint();
        if (!fp.ok() || *fp != *peer.remote_fingerprint) {
            ++counters.closed_fingerprint_mismatch;
            ClosePeer(peer, CloseReason::kFingerprintMismatch, false);
            return;
        }
        peer.fingerprint_verified = true;
        Peer* p = &peer;
        auto sctp = SctpAssociation::Create(
            {.local_port = kLocalSctpPort,
             .remote_port = peer.remote_sctp_port,
             .max_message_bytes = ReceiveLimit(options),
             .send_buffer_bytes = options.max_send_buffer_bytes,
             .receive_buffer_bytes = std::max<size_t>(ReceiveLimit(options), 262144)},
            [p](std::string_view packet) {
                if (p->dtls && !p->silent) {
                    (void)p->dtls->Write(packet);
                }
            });
        if (!sctp.ok()) {
            ++counters.closed_protocol_error;
            ClosePeer(peer, CloseReason::kProtocolError, false);
            return;
        }
        peer.sctp = std::move(*sctp);
        if (!peer.sctp->Connect().ok()) {
            ++counters.closed_protocol_error;
            ClosePeer(peer, CloseReason::kProtocolError, false);
            return;
        }
        DrainSctp(peer);
    }

    void DrainSctp(Peer& peer) {
        while (!peer.closed && peer.sctp && peer.sctp->HasEvents()) {
            std::vector<SctpEvent> batch = peer.sctp->TakeEvents();
            for (SctpEvent& e : batch) {
                if (peer.closed) {
                    return;
                }
                OnSctpEvent(peer, e);
            }
        }
    }

    void OnSctpEvent(Peer& peer, SctpEvent& e) {
        switch (e.kind) {
            case SctpEventKind::kConnected:
                if (!peer.client_role) {
                    OpenChannel(peer);
                }
                return;
            case SctpEventKind::kClosed:
                ClosePeer(peer, CloseReason::kRemoteClosed, false);
                return;
            case SctpEventKind::kStreamReset:
                if (peer.sid == e.stream) {
                    (void)peer.sctp->ResetStream(e.stream);
                    ClosePeer(peer, CloseReason::kRemoteClosed, false);
                }
                return;
            case SctpEventKind::kMessageTooLarge:
                ++counters.received_too_large;
                return;
            case SctpEventKind::kMessage:
                OnSctpMessage(peer, e);
                return;
        }
    }

    void OpenChannel(Peer& peer) {
        if (peer.open_sent) {
            return;
        }
        // RFC 8832 §6: the DTLS client uses even stream ids, the server odd ones.
        peer.sid = peer.dtls_role == DtlsRole::kServer ? 1 : 0;
        uint8_t type =
            peer.channel.max_retransmits.has_value() ? kDcepPartialReliableRexmit : kDcepReliable;
        if (!peer.channel.ordered) {
            type |= kDcepUnorderedFlag;
        }
        const std::string open = EncodeDcepOpen({
            .channel_type = type,
            .priority = 0,
            .reliability = peer.channel.max_retransmits.value_or(0),
            .label = peer.channel.label,
            .protocol = "",
        });
        peer.policy = {
            .ordered = peer.channel.ordered, .max_retransmits = peer.channel.max_retransmits};
        peer.open_sent = true;
        if (!peer.sctp->Send(*peer.sid, ppid::kDcep, open, {}).ok()) {
            ++counters.closed_protocol_error;
            ClosePeer(peer, CloseReason::kProtocolError, false);
        }
    }

    void MarkOpen(Peer& peer) {
        if (peer.open || peer.closed) {
            return;
        }
        peer.open = true;
        if (events.on_open) {
            events.on_open(peer.id);
        }
    }

    void OnSctpMessage(Peer& peer, const SctpEvent& e) {
        if (e.ppid == ppid::kDcep) {
            auto msg = DecodeDcep(e.data);
            if (!msg.ok()) {
                ++counters.dcep_refused;
                return;
            }
            if (const auto* open = std::get_if<DcepOpen>(&*msg)) {
                if (!peer.client_role || peer.sid.has_value()) {
                    ++counters.dcep_refused;  // we open the one channel ourselves
                    return;
                }
                peer.sid = e.stream;
                const uint8_t base = open->channel_type & ~kDcepUnorderedFlag;
                peer.policy.ordered = (open->channel_type & kDcepUnorderedFlag) == 0;
                if (base == kDcepPartialReliableRexmit) {
                    peer.policy.max_retransmits = open->reliability;
                }
                peer.channel.label = open->label;
                if (!peer.sctp->Send(e.stream, ppid::kDcep, EncodeDcepAck(), {}).ok()) {
                    ++counters.closed_protocol_error;
                    ClosePeer(peer, CloseReason::kProtocolError, false);
                    return;
                }
                MarkOpen(peer);
                return;
            }
            if (peer.client_role || peer.sid != e.stream) {
                ++counters.dcep_refused;
                return;
            }
            MarkOpen(peer);  // the ACK
            return;
        }
        if (!peer.sid.has_value() || e.stream != *peer.sid) {
            return;  // no channel on that stream
        }
        bool binary = false;
        bool empty = false;
        switch (e.ppid) {
            case ppid::kString:
            case ppid::kStringPartial:
                break;
            case ppid::kBinary:
            case ppid::kBinaryPartial:
                binary = true;
                break;
            case ppid::kStringEmpty:
                empty = true;
                break;
            case ppid::kBinaryEmpty:
                binary = true;
                empty = true;
                break;
            default:
                return;
        }
        // RFC 8832 §6: data before the ACK acknowledges the channel too.
        MarkOpen(peer);
        if (peer.closed || !events.on_message) {
            return;
        }
        events.on_message(peer.id, empty ? std::string_view() : std::string_view(e.data), binary);
    }

    // ---- teardown --------------------------------------------------------------------------

    void ClosePeer(Peer& peer, CloseReason reason, bool graceful) {
        if (peer.closed) {
            return;
        }
        peer.closed = true;
        peer.open = false;
        if (!graceful) {
            peer.silent = true;
        }
        peer.sctp.reset();  // graceful: its ABORT still goes out through DTLS
        if (peer.dtls) {
            if (graceful) {
                peer.dtls->Close();
            }
        }
        peer.silent = true;
        if (peer.own_socket) {
            Flush();  // its last datagrams (the close) leave before the socket closes
            boost::system::error_code ignored;
            peer.own_socket->socket.close(ignored);
        }
        by_ufrag.erase(peer.local_ufrag);
        for (const auto& a : peer.addresses) {
            auto it = by_address.find(a);
            if (it != by_address.end() && it->second == &peer) {
                by_address.erase(it);
            }
        }
        const PeerId id = peer.id;
        auto node = peers.extract(id);
        if (!node.empty()) {
            graveyard.push_back(std::move(node.mapped()));
        }
        if (!reap_posted) {
            reap_posted = true;
            asio::post(executor, [self = shared_from_this()] {
                self->reap_posted = false;
                self->Reap();
            });
        }
        if (events.on_closed) {
            events.on_closed(id, reason);
        }
    }

    void Reap() { graveyard.clear(); }

    // ---- timers ----------------------------------------------------------------------------

    void OnTick() {
        SctpAssociation::AdvanceTimers();
        const auto now = Clock::now();
        const bool housekeeping = ++tick_count % kHousekeepingTicks == 0;
        std::vector<Peer*> all;
        all.reserve(peers.size());
        for (auto& [id, peer] : peers) {
            all.push_back(peer.get());
        }
        for (Peer* peer : all) {
            if (peer->closed) {
                continue;
            }
            if (peer->dtls && !peer->dtls->Connected()) {
                auto wait = peer->dtls->TimeUntilRetransmit();
                if (wait.has_value() && wait->count() <= 0 &&
                    !peer->dtls->HandleRetransmitTimer().ok()) {
                    ++counters.closed_protocol_error;
                    ClosePeer(*peer, CloseReason::kProtocolError, false);
                    continue;
                }
            }
            DrainSctp(*peer);
            if (peer->closed || !housekeeping) {
                continue;
            }
            if (!peer->open && now - peer->created > options.open_timeout) {
                ++counters.closed_open_timeout;
                ClosePeer(*peer, CloseReason::kOpenTimeout, false);
                continue;
            }
            const bool bound = peer->client_role ? peer->ice_connected : peer->remote.has_value();
            if (bound && now - peer->last_seen > options.consent_timeout) {
                ++counters.closed_consent_timeout;
                ClosePeer(*peer, CloseReason::kConsentTimeout, false);
                continue;
            }
            if (peer->client_role && now >= peer->next_check) {
                SendCheck(*peer);
                peer->next_check = now + (peer->ice_connected ? options.keepalive_interval
                                                              : kTick * kHousekeepingTicks);
            }
        }
        Reap();
    }

    // Client role: a Binding request to the server (we are the controlling agent).
    void SendCheck(Peer& peer) {
        const std::string request =
            StunBuilder(static_cast<uint16_t>(StunType::kBindingRequest), RandomTransactionId())
                .Add(stun_attr::kUsername, peer.remote_ufrag + ":" + peer.local_ufrag)
                .Add(stun_attr::kPriority, Be32(0x6e0001ff))
                .Add(stun_attr::kIceControlling, RandomIceString(8))
                .Add(stun_attr::kUseCandidate, "")
                .Finish(peer.remote_pwd, /*fingerprint=*/true);
        SendToPeer(peer, request);
    }

    // ---- peers -----------------------------------------------------------------------------

    absl::StatusOr<Peer*> NewPeer(const PeerId& id) {
        if (stopped) {
            return absl::FailedPreconditionError("webrtc: endpoint stopped");
        }
        if (peers.count(id) != 0) {
            return absl::AlreadyExistsError("webrtc: peer id in use");
        }
        if (peers.size() >= options.max_peers) {
            return absl::ResourceExhaustedError("webrtc: too many peers");
        }
        auto peer = std::make_unique<Peer>();
        peer->id = id;
        do {
            peer->local_ufrag = RandomIceString(8);
        } while (by_ufrag.count(peer->local_ufrag) != 0);
        peer->local_pwd = RandomIceString(24);
        peer->created = peer->last_seen = peer->next_check = Clock::now();
        Peer* raw = peer.get();
        by_ufrag[raw->local_ufrag] = raw;
        peers.emplace(id, std::move(peer));
        return raw;
    }

    void Stop() {
        if (stopped) {
            return;
        }
        Flush();  // what was written before Stop (closes among it) still leaves
        stopped = true;
        boost::system::error_code ignored;
        timer.cancel();
        socket.close(ignored);
        for (auto& [id, peer] : peers) {
            peer->silent = true;
            peer->closed = true;
            peer->sctp.reset();
            if (peer->own_socket) {
                peer->own_socket->socket.close(ignored);
            }
            // Kept (not destroyed) until the Impl goes: Stop may run inside an event whose
            // caller still holds the peer.
            graveyard.push_back(std::move(peer));
        }
        peers.clear();
        by_ufrag.clear();
        by_address.clear();
    }
};

absl::StatusOr<std::unique_ptr<Endpoint>> Endpoint::Start(
    asio::any_io_executor executor, EndpointOptions options, PeerEvents events) {
    if (options.max_send_buffer_bytes < options.max_message_bytes) {
        return absl::InvalidArgumentError(
            "webrtc: max_send_buffer_bytes must be at least max_message_bytes");
    }
    if (options.max_message_bytes == 0 || options.max_peers == 0) {
        return absl::InvalidArgumentError("webrtc: max_message_bytes and max_peers must be > 0");
    }
    boost::system::error_code ec;
    const auto bind_ip = asio::ip::make_address(options.bind_address, ec);
    if (ec) {
        return absl::InvalidArgumentError("webrtc: bind_address is not an IP address");
    }
    if (!options.public_ip.empty()) {
        asio::ip::make_address(options.public_ip, ec);
        if (ec) {
            return absl::InvalidArgumentError("webrtc: public_ip is not an IP address");
        }
    }
    auto dtls_context = DtlsContext::Create();
    if (!dtls_context.ok()) {
        return dtls_context.status();
    }
    auto impl = std::make_shared<Impl>(executor, std::move(options), std::move(events));
    impl->dtls_context = std::move(*dtls_context);
    const udp::endpoint local(bind_ip, impl->options.udp_port);
    impl->socket.open(local.protocol(), ec);
    if (!ec) {
        impl->socket.bind(local, ec);
    }
    if (!ec) {
        impl->socket.non_blocking(true, ec);
    }
    if (ec) {
        return absl::UnavailableError("webrtc: cannot bind the UDP socket: " + ec.message());
    }
    if (impl->options.socket_buffer_bytes > 0) {
        const int size = static_cast<int>(
            std::min<size_t>(impl->options.socket_buffer_bytes, 256 * 1024 * 1024));
        boost::system::error_code ignored;  // best effort: the kernel may cap or refuse it
        impl->socket.set_option(asio::socket_base::receive_buffer_size(size), ignored);
        impl->socket.set_option(asio::socket_base::send_buffer_size(size), ignored);
    }
    impl->local_port = impl->socket.local_endpoint(ec).port();
    impl->advertised_ip =
        impl->options.public_ip.empty() ? impl->options.bind_address : impl->options.public_ip;
    if (bind_ip.is_unspecified() && impl->options.public_ip.empty()) {
        impl->advertised_ip.clear();
    }
    impl->advertised_port =
        impl->options.public_port != 0 ? impl->options.public_port : impl->local_port;
    impl->Receive();
    impl->ScheduleTick();
    return std::unique_ptr<Endpoint>(new Endpoint(std::move(impl)));
}

Endpoint::~Endpoint() {
    Stop();
}

void Endpoint::Stop() {
    impl_->Stop();
}

absl::StatusOr<Offer> Endpoint::CreatePeer(const PeerId& id, const ChannelOptions& channel) {
    if (impl_->advertised_ip.empty()) {
        return absl::FailedPreconditionError(
            "webrtc: no address to advertise (set public_ip or a specific bind_address)");
    }
    if (channel.label.size() > kDcepMaxLabelBytes) {
        return absl::InvalidArgumentError("webrtc: channel label too long");
    }
    auto peer = impl_->NewPeer(id);
    if (!peer.ok()) {
        return peer.status();
    }
    (*peer)->channel = channel;
    Offer offer;
    offer.sdp = BuildDescription({
        .ice_ufrag = (*peer)->local_ufrag,
        .ice_pwd = (*peer)->local_pwd,
        .fingerprint = impl_->dtls_context->Fingerprint(),
        .setup = DtlsSetup::kActpass,
        .ice_lite = true,
        .mid = "0",
        .sctp_port = kLocalSctpPort,
        .max_message_size = ReceiveLimit(impl_->options),
        .session_id = impl_->next_session_id++,
        .candidate_ip = impl_->advertised_ip,
        .candidate_port = impl_->advertised_port,
    });
    offer.candidates.push_back(CandidateAttribute(impl_->advertised_ip, impl_->advertised_port));
    return offer;
}

absl::Status Endpoint::SetRemoteAnswer(const PeerId& id, std::string_view sdp) {
    auto it = impl_->peers.find(id);
    if (it == impl_->peers.end()) {
        return absl::NotFoundError("webrtc: unknown peer");
    }
    Peer& peer = *it->second;
    if (peer.client_role || peer.remote_fingerprint.has_value()) {
        return absl::FailedPreconditionError("webrtc: answer already set");
    }
    auto answer = ParseDescription(sdp);
    if (!answer.ok()) {
        return answer.status();
    }
    // Their "passive" makes us the DTLS client; "active" (Chromium) makes us the server.
    const DtlsRole role =
        answer->setup == DtlsSetup::kPassive ? DtlsRole::kClient : DtlsRole::kServer;
    if (peer.dtls && peer.dtls_role != role) {
        return absl::FailedPreconditionError("webrtc: answer contradicts the DTLS role in use");
    }
    peer.dtls_role = role;
    peer.remote_ufrag = answer->ice_ufrag;
    peer.remote_pwd = answer->ice_pwd;
    peer.remote_fingerprint = answer->fingerprint;
    peer.remote_sctp_port = answer->sctp_port;
    peer.remote_max_message = answer->max_message_size.value_or(65536);
    impl_->MaybeStartDtls(peer);
    impl_->MaybeStartSctp(peer);
    return absl::OkStatus();
}

absl::StatusOr<std::string> Endpoint::AcceptOffer(const PeerId& id, std::string_view offer_sdp) {
    auto offer = ParseDescription(offer_sdp);
    if (!offer.ok()) {
        return offer.status();
    }
    if (!offer->candidate.has_value()) {
        return absl::InvalidArgumentError("webrtc: offer has no usable IP candidate");
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(offer->candidate->ip, ec);
    if (ec) {
        return absl::InvalidArgumentError("webrtc: offer candidate is not an IP address");
    }
    auto created = impl_->NewPeer(id);
    if (!created.ok()) {
        return created.status();
    }
    Peer& peer = **created;
    peer.client_role = true;
    peer.remote_ufrag = offer->ice_ufrag;
    peer.remote_pwd = offer->ice_pwd;
    peer.remote_fingerprint = offer->fingerprint;
    peer.remote_sctp_port = offer->sctp_port;
    peer.remote_max_message = offer->max_message_size.value_or(65536);
    // We answer "active" (DTLS client) unless the offer insists on being active itself.
    const bool we_are_active =
        offer->setup == DtlsSetup::kPassive ||
        (offer->setup == DtlsSetup::kActpass && !impl_->options.answer_passive);
    peer.dtls_role = we_are_active ? DtlsRole::kClient : DtlsRole::kServer;
    peer.remote = udp::endpoint(address, offer->candidate->port);
    auto own = std::make_shared<PeerSocket>(impl_->executor);
    const udp::endpoint local(
        impl_->socket.local_endpoint(ec).address().is_unspecified()
            ? asio::ip::address(
                  address.is_v4() ? asio::ip::address(asio::ip::address_v4::any())
                                  : asio::ip::address(asio::ip::address_v6::any()))
            : impl_->socket.local_endpoint(ec).address(),
        0);
    own->socket.open(local.protocol(), ec);
    if (!ec) {
        own->socket.bind(local, ec);
    }
    if (!ec) {
        own->socket.non_blocking(true, ec);
    }
    if (ec) {
        impl_->ClosePeer(peer, CloseReason::kProtocolError, false);
        return absl::UnavailableError("webrtc: cannot open a client socket: " + ec.message());
    }
    peer.own_socket = own;
    impl_->ReceiveOwn(id, std::move(own));
    const std::string answer = BuildDescription({
        .ice_ufrag = peer.local_ufrag,
        .ice_pwd = peer.local_pwd,
        .fingerprint = impl_->dtls_context->Fingerprint(),
        .setup = we_are_active ? DtlsSetup::kActive : DtlsSetup::kPassive,
        .ice_lite = false,
        .mid = offer->mid.empty() ? "0" : offer->mid,
        .sctp_port = kLocalSctpPort,
        .max_message_size = ReceiveLimit(impl_->options),
        .session_id = impl_->next_session_id++,
        .candidate_ip = "",
        .candidate_port = 0,
    });
    impl_->SendCheck(peer);
    peer.next_check = Clock::now() + kTick * kHousekeepingTicks;
    return answer;
}

namespace {

// The SCTP message for `data` on `peer`'s channel, or why it cannot be sent.
absl::StatusOr<SctpAssociation::Message> ChannelMessage(
    const Peer& peer, const EndpointOptions& options, std::string_view data, bool binary) {
    const size_t limit = peer.remote_max_message == 0
                             ? options.max_message_bytes
                             : std::min(options.max_message_bytes, peer.remote_max_message);
    if (data.size() > limit) {
        return absl::InvalidArgumentError("webrtc: message larger than max-message-size");
    }
    static constexpr char kZero[1] = {0};
    if (data.empty()) {  // an empty message goes as one byte with the "empty" PPID (RFC 8831)
        return SctpAssociation::Message{
            binary ? ppid::kBinaryEmpty : ppid::kStringEmpty, std::string_view(kZero, 1)};
    }
    return SctpAssociation::Message{binary ? ppid::kBinary : ppid::kString, data};
}

}  // namespace

absl::Status Endpoint::Send(const PeerId& id, std::string_view data, bool binary) {
    const OutgoingMessage one{data, binary};
    return SendMany(id, std::span(&one, 1)).front();
}

std::vector<absl::Status> Endpoint::SendMany(
    const PeerId& id, std::span<const OutgoingMessage> messages) {
    std::vector<absl::Status> results(messages.size());
    auto it = impl_->peers.find(id);
    if (it == impl_->peers.end()) {
        std::fill(results.begin(), results.end(), absl::NotFoundError("webrtc: unknown peer"));
        return results;
    }
    Peer& peer = *it->second;
    if (!peer.open || !peer.sctp || !peer.sid.has_value()) {
        std::fill(
            results.begin(), results.end(),
            absl::FailedPreconditionError("webrtc: channel not open"));
        return results;
    }
    std::vector<SctpAssociation::Message> wire;
    std::vector<std::size_t> index;  // wire[i] is messages[index[i]]
    wire.reserve(messages.size());
    index.reserve(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        auto message = ChannelMessage(peer, impl_->options, messages[i].data, messages[i].binary);
        if (!message.ok()) {
            ++impl_->counters.sent_dropped_too_large;
            results[i] = message.status();
            continue;
        }
        wire.push_back(*message);
        index.push_back(i);
    }
    auto sent = peer.sctp->SendMany(*peer.sid, wire, peer.policy);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        if (sent[i].code() == absl::StatusCode::kResourceExhausted) {
            ++impl_->counters.sent_dropped_backpressure;
        }
        results[index[i]] = std::move(sent[i]);
    }
    return results;
}

void Endpoint::Close(const PeerId& id) {
    auto it = impl_->peers.find(id);
    if (it == impl_->peers.end()) {
        return;
    }
    impl_->ClosePeer(*it->second, CloseReason::kLocal, /*graceful=*/true);
}

bool Endpoint::IsOpen(const PeerId& id) const {
    auto it = impl_->peers.find(id);
    return it != impl_->peers.end() && it->second->open;
}

size_t Endpoint::PeerCount() const {
    return impl_->peers.size();
}

uint16_t Endpoint::LocalPort() const {
    return impl_->local_port;
}

const EndpointCounters& Endpoint::Counters() const {
    return impl_->counters;
}

}  // namespace hatongsu::webrtc
