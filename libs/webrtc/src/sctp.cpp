#include "hatongsu/webrtc/sctp.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_set>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <usrsctp.h>

namespace hatongsu::webrtc {

namespace {

constexpr uint16_t kStreams = 1024;
// 1200 bytes of DTLS payload minus DTLS record overhead, as the recipe measured.
constexpr uint32_t kPathMtu = 1188;
constexpr uint32_t kHeartbeatIntervalMs = 1000;

// Associations alive right now. usrsctp may call back with an address whose owner began dying;
// such calls are ignored. Only touched from the single usrsctp thread.
std::unordered_set<void*>& Live() {
    static auto* const live = new std::unordered_set<void*>();
    return *live;
}

}  // namespace

struct SctpCallbacks {
    static int Output(void* addr, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*df*/) {
        if (Live().count(addr) == 0) {
            return 0;
        }
        auto* self = static_cast<SctpAssociation*>(addr);
        self->output_(std::string_view(static_cast<const char*>(buffer), length));
        return 0;
    }

    static int Receive(
        struct socket* /*sock*/,
        union sctp_sockstore /*addr*/,
        void* data,
        size_t length,
        struct sctp_rcvinfo info,
        int flags,
        void* ulp_info) {
        if (Live().count(ulp_info) == 0) {
            std::free(data);
            return 1;
        }
        auto* self = static_cast<SctpAssociation*>(ulp_info);
        if (data == nullptr) {
            self->events_.push_back({.kind = SctpEventKind::kClosed});
            return 1;
        }
        if ((flags & MSG_NOTIFICATION) != 0) {
            self->OnNotification(static_cast<const char*>(data), length);
        } else {
            self->OnData(
                std::string_view(static_cast<const char*>(data), length), info,
                (flags & MSG_EOR) != 0);
        }
        std::free(data);
        return 1;
    }
};

namespace {

void InitUsrsctpOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        usrsctp_init_nothreads(0, &SctpCallbacks::Output, nullptr);
        usrsctp_sysctl_set_sctp_ecn_enable(0);
        usrsctp_sysctl_set_sctp_pr_enable(1);
        usrsctp_sysctl_set_sctp_init_rtx_max_default(5);
        usrsctp_sysctl_set_sctp_path_rtx_max_default(5);
        usrsctp_sysctl_set_sctp_assoc_rtx_max_default(5);
        usrsctp_sysctl_set_sctp_rto_min_default(200);
        usrsctp_sysctl_set_sctp_rto_max_default(10000);
        usrsctp_sysctl_set_sctp_rto_initial_default(1000);
        usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
        usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
        usrsctp_sysctl_set_sctp_heartbeat_interval_default(10000);
        usrsctp_sysctl_set_sctp_max_chunks_on_queue(10240);
    });
}

std::chrono::steady_clock::time_point& LastTimerTick() {
    static std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    return last;
}

template <typename T>
bool SetOption(struct socket* sock, int level, int name, const T& value) {
    return usrsctp_setsockopt(sock, level, name, &value, sizeof(value)) == 0;
}

}  // namespace

void SctpAssociation::AdvanceTimers() {
    InitUsrsctpOnce();
    const auto now = std::chrono::steady_clock::now();
    auto& last = LastTimerTick();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last);
    if (elapsed.count() <= 0) {
        return;
    }
    last += elapsed;
    usrsctp_handle_timers(static_cast<uint32_t>(elapsed.count()));
}

absl::StatusOr<std::unique_ptr<SctpAssociation>> SctpAssociation::Create(
    const SctpOptions& options, OutputFn output) {
    InitUsrsctpOnce();
    std::unique_ptr<SctpAssociation> self(new SctpAssociation(options, std::move(output)));
    Live().insert(self.get());
    usrsctp_register_address(self.get());
    self->sock_ = usrsctp_socket(
        AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &SctpCallbacks::Receive, nullptr, 0, self.get());
    if (self->sock_ == nullptr) {
        return absl::InternalError("sctp: usrsctp_socket failed");
    }
    struct socket* s = self->sock_;
    usrsctp_set_non_blocking(s, 1);
    const linger no_linger{1, 0};
    sctp_assoc_value reset{};
    reset.assoc_id = SCTP_ALL_ASSOC;
    reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
    const int on = 1;
    const int off = 0;
    sctp_initmsg init{};
    init.sinit_num_ostreams = kStreams;
    init.sinit_max_instreams = kStreams;
    sctp_paddrparams params{};
    // Heartbeats every second (plus the RTO, jittered): their acknowledgements are DTLS traffic
    // from the peer, so an idle but live peer refreshes consent between its STUN checks (every
    // 2.5 s from Chromium) and a short consent timeout still tolerates lost packets.
    params.spp_flags = SPP_PMTUD_DISABLE | SPP_HB_ENABLE;
    params.spp_hbinterval = kHeartbeatIntervalMs;
    params.spp_pathmtu = kPathMtu;
    const int send_buffer = static_cast<int>(options.send_buffer_bytes);
    const int receive_buffer = static_cast<int>(options.receive_buffer_bytes);
    bool ok = SetOption(s, SOL_SOCKET, SO_LINGER, no_linger) &&
              SetOption(s, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset) &&
              SetOption(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, on) &&
              SetOption(s, IPPROTO_SCTP, SCTP_NODELAY, on) &&
              SetOption(s, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, off) &&
              SetOption(s, IPPROTO_SCTP, SCTP_INITMSG, init) &&
              SetOption(s, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, params) &&
              SetOption(s, SOL_SOCKET, SO_SNDBUF, send_buffer) &&
              SetOption(s, SOL_SOCKET, SO_RCVBUF, receive_buffer);
    for (uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SENDER_DRY_EVENT}) {
        sctp_event event{};
        event.se_assoc_id = SCTP_ALL_ASSOC;
        event.se_type = type;
        event.se_on = 1;
        ok = ok && SetOption(s, IPPROTO_SCTP, SCTP_EVENT, event);
    }
    if (!ok) {
        return absl::InternalError("sctp: setting socket options failed");
    }
    sockaddr_conn local{};
    local.sconn_family = AF_CONN;
    local.sconn_port = htons(options.local_port);
    local.sconn_addr = self.get();
    if (usrsctp_bind(s, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
        return absl::InternalError("sctp: bind failed");
    }
    return self;
}

SctpAssociation::~SctpAssociation() {
    if (sock_ != nullptr) {
        usrsctp_close(sock_);  // SO_LINGER {1,0}: sends ABORT through Output while still Live
    }
    Live().erase(this);
    usrsctp_deregister_address(this);
}

absl::Status SctpAssociation::Connect() {
    sockaddr_conn remote{};
    remote.sconn_family = AF_CONN;
    remote.sconn_port = htons(options_.remote_port);
    remote.sconn_addr = this;
    const int rc = usrsctp_connect(sock_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote));
    if (rc != 0 && errno != EINPROGRESS) {
        return absl::InternalError("sctp: connect failed");
    }
    return absl::OkStatus();
}

void SctpAssociation::HandlePacket(std::string_view packet) {
    usrsctp_conninput(this, packet.data(), packet.size(), 0);
}

absl::Status SctpAssociation::Send(
    uint16_t stream, uint32_t ppid, std::string_view data, const SctpSendPolicy& policy) {
    if (!connected_) {
        return absl::FailedPreconditionError("sctp: not connected");
    }
    if (data.size() > options_.send_buffer_bytes) {
        return absl::InvalidArgumentError("sctp: message larger than the send buffer");
    }
    sctp_sendv_spa spa{};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = stream;
    spa.sendv_sndinfo.snd_ppid = htonl(ppid);
    spa.sendv_sndinfo.snd_flags = SCTP_EOR | (policy.ordered ? 0 : SCTP_UNORDERED);
    if (policy.max_retransmits.has_value()) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
        spa.sendv_prinfo.pr_value = *policy.max_retransmits;
    }
    const ssize_t n = usrsctp_sendv(
        sock_, data.data(), data.size(), nullptr, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0);
    if (n < 0) {
        if (errno == EWOULDBLOCK || errno == EAGAIN) {
            return absl::ResourceExhaustedError("sctp: send buffer full");
        }
        return absl::UnavailableError("sctp: send failed");
    }
    return absl::OkStatus();
}

// Nagle holds each message back while data is in flight and less than a packet is waiting, so
// the burst goes out in full packets; the last message is sent with Nagle off again, which sends
// everything still held.
std::vector<absl::Status> SctpAssociation::SendMany(
    uint16_t stream, std::span<const Message> messages, const SctpSendPolicy& policy) {
    std::vector<absl::Status> results;
    results.reserve(messages.size());
    const int on = 1;
    const int off = 0;
    const bool bundle = messages.size() > 1 && connected_;
    if (bundle) {
        SetOption(sock_, IPPROTO_SCTP, SCTP_NODELAY, off);
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (bundle && i + 1 == messages.size()) {
            SetOption(sock_, IPPROTO_SCTP, SCTP_NODELAY, on);
        }
        results.push_back(Send(stream, messages[i].ppid, messages[i].data, policy));
    }
    return results;
}

absl::Status SctpAssociation::ResetStream(uint16_t stream) {
    alignas(sctp_reset_streams) char buf[sizeof(sctp_reset_streams) + sizeof(uint16_t)] = {};
    auto* reset = reinterpret_cast<sctp_reset_streams*>(buf);
    reset->srs_assoc_id = SCTP_ALL_ASSOC;
    reset->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    reset->srs_number_streams = 1;
    std::memcpy(buf + sizeof(sctp_reset_streams), &stream, sizeof(stream));
    if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_RESET_STREAMS, buf, sizeof(buf)) != 0) {
        return absl::UnavailableError("sctp: stream reset failed");
    }
    return absl::OkStatus();
}

void SctpAssociation::Shutdown() {
    usrsctp_shutdown(sock_, SHUT_RDWR);
}

std::vector<SctpEvent> SctpAssociation::TakeEvents() {
    std::vector<SctpEvent> out;
    out.swap(events_);
    return out;
}

void SctpAssociation::OnNotification(const char* data, size_t length) {
    uint16_t type = 0;
    if (length < sizeof(type)) {
        return;
    }
    std::memcpy(&type, data, sizeof(type));
    if (type == SCTP_ASSOC_CHANGE && length >= sizeof(sctp_assoc_change)) {
        sctp_assoc_change change{};
        std::memcpy(&change, data, sizeof(change));
        if (change.sac_state == SCTP_COMM_UP) {
            connected_ = true;
            events_.push_back({.kind = SctpEventKind::kConnected});
        } else if (
            change.sac_state == SCTP_COMM_LOST || change.sac_state == SCTP_SHUTDOWN_COMP ||
            change.sac_state == SCTP_CANT_STR_ASSOC) {
            connected_ = false;
            events_.push_back({.kind = SctpEventKind::kClosed});
        }
    } else if (type == SCTP_STREAM_RESET_EVENT && length >= sizeof(sctp_stream_reset_event)) {
        sctp_stream_reset_event reset{};
        std::memcpy(&reset, data, sizeof(reset));
        if ((reset.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) == 0) {
            return;
        }
        const size_t count =
            (std::min<size_t>(length, reset.strreset_length) - sizeof(sctp_stream_reset_event)) /
            sizeof(uint16_t);
        for (size_t i = 0; i < count; ++i) {
            uint16_t stream = 0;
            std::memcpy(
                &stream, data + sizeof(sctp_stream_reset_event) + i * sizeof(uint16_t),
                sizeof(stream));
            events_.push_back({.kind = SctpEventKind::kStreamReset, .stream = stream});
        }
    }
}

void SctpAssociation::OnData(std::string_view chunk, const sctp_rcvinfo& info, bool end) {
    if (!discarding_) {
        if (partial_.size() + chunk.size() > options_.max_message_bytes) {
            discarding_ = true;
            partial_.clear();
            partial_.shrink_to_fit();
        } else {
            partial_.append(chunk);
        }
    }
    if (!end) {
        return;
    }
    if (discarding_) {
        events_.push_back({.kind = SctpEventKind::kMessageTooLarge, .stream = info.rcv_sid});
        discarding_ = false;
        return;
    }
    events_.push_back(
        {.kind = SctpEventKind::kMessage,
         .stream = info.rcv_sid,
         .ppid = ntohl(info.rcv_ppid),
         .data = std::move(partial_)});
    partial_.clear();
}

}  // namespace hatongsu::webrtc
