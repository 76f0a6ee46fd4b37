// SCTP over DTLS (RFC 8261) with usrsctp in AF_CONN mode: one association per peer, packets in
// through HandlePacket, packets out through the `output` callback (which the caller encrypts).
// usrsctp is process-global and initialised here once, with no timer thread
// (usrsctp_init_nothreads): every association in the process, and AdvanceTimers(), must be used
// from ONE thread. Receive callbacks only queue events; TakeEvents() hands them out, so nothing
// re-enters usrsctp from inside it.
//
//   auto a = webrtc::SctpAssociation::Create({.max_message_bytes = 262144}, output);
//   (*a)->Connect();  (*a)->HandlePacket(decrypted);  for (auto& e : (*a)->TakeEvents()) ...
#pragma once

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

struct socket;
struct sctp_rcvinfo;

namespace hatongsu::webrtc {

struct SctpOptions {
    uint16_t local_port = 5000;
    uint16_t remote_port = 5000;
    // Larger inbound messages are discarded (an kMessageTooLarge event says so).
    size_t max_message_bytes = 262144;
    // The socket's send buffer; a Send that does not fit is refused (ResourceExhausted).
    size_t send_buffer_bytes = 1024 * 1024;
    size_t receive_buffer_bytes = 1024 * 1024;
};

struct SctpSendPolicy {
    bool ordered = true;
    std::optional<uint32_t> max_retransmits{};  // unset: reliable
};

enum class SctpEventKind { kConnected, kClosed, kMessage, kStreamReset, kMessageTooLarge };

struct SctpEvent {
    SctpEventKind kind = SctpEventKind::kMessage;
    uint16_t stream = 0;
    uint32_t ppid = 0;
    std::string data{};
};

class SctpAssociation final {
public:
    using OutputFn = std::function<void(std::string_view packet)>;

    static absl::StatusOr<std::unique_ptr<SctpAssociation>> Create(
        const SctpOptions& options, OutputFn output);
    // Aborts the association (an ABORT goes out through `output`) and releases the socket.
    ~SctpAssociation();
    SctpAssociation(const SctpAssociation&) = delete;
    SctpAssociation& operator=(const SctpAssociation&) = delete;

    // Sends INIT to the remote port (both sides do; the collision resolves).
    absl::Status Connect();
    void HandlePacket(std::string_view packet);
    // ResourceExhausted when the send buffer has no room; InvalidArgument when larger than
    // the send buffer could ever hold; FailedPrecondition before kConnected.
    absl::Status Send(
        uint16_t stream, uint32_t ppid, std::string_view data, const SctpSendPolicy& policy);
    // Sends `messages` in order as Send would, bundled into as few packets as they fit (one
    // packet, DTLS record and datagram per ~1,100 bytes instead of one per message). Returns
    // one status per message.
    struct Message {
        uint32_t ppid = 0;
        std::string_view data;
    };
    std::vector<absl::Status> SendMany(
        uint16_t stream, std::span<const Message> messages, const SctpSendPolicy& policy);
    // Resets our outgoing side of `stream` (closing a data channel).
    absl::Status ResetStream(uint16_t stream);
    // Graceful SHUTDOWN; kClosed follows when it completes.
    void Shutdown();
    bool HasEvents() const { return !events_.empty(); }
    std::vector<SctpEvent> TakeEvents();

    // Drives usrsctp's timers from the steady clock; call every few milliseconds from the thread
    // that uses the associations. Calling it more often is harmless.
    static void AdvanceTimers();

private:
    SctpAssociation(const SctpOptions& options, OutputFn output)
        : options_(options), output_(std::move(output)) {}
    friend struct SctpCallbacks;
    void OnNotification(const char* data, size_t length);
    void OnData(std::string_view chunk, const sctp_rcvinfo& info, bool end);

    SctpOptions options_;
    OutputFn output_;
    struct ::socket* sock_ = nullptr;
    bool connected_ = false;
    std::vector<SctpEvent> events_;
    // Reassembly of a message delivered in parts (partial delivery).
    std::string partial_;
    bool discarding_ = false;
};

}  // namespace hatongsu::webrtc
