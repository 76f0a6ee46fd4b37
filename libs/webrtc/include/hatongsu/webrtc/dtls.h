// DTLS 1.2 (OpenSSL 3.0) for WebRTC: a process-lifetime context holding a self-signed ECDSA P-256
// certificate, and one sans-I/O session per peer. A session takes whole UDP datagrams in and
// hands datagrams out through the `send` callback (one call per datagram, possibly from inside
// any method), so it can run over any transport. The peer's certificate is accepted whatever its
// chain; the caller checks PeerFingerprint() against the SDP once Connected().
// Not thread-safe: one session is used from one thread. A context may be shared by sessions of
// one thread.
//
//   auto ctx = webrtc::DtlsContext::Create();
//   auto s = webrtc::DtlsSession::Create(*ctx, DtlsRole::kServer, [&](std::string_view d) {...});
//   DtlsInput in = (*s)->HandleDatagram(datagram);   // records, handshake done, closed, error
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "hatongsu/webrtc/sdp.h"

// OpenSSL's handles, declared so this header does not pull in OpenSSL.
struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace hatongsu::webrtc {

enum class DtlsRole { kClient, kServer };

class DtlsContext final {
public:
    // Generates the key pair and certificate (valid from a day ago for 30 days) and the SSL_CTX.
    static absl::StatusOr<std::shared_ptr<DtlsContext>> Create();
    ~DtlsContext();
    DtlsContext(const DtlsContext&) = delete;
    DtlsContext& operator=(const DtlsContext&) = delete;

    // SHA-256 of our certificate's DER, for a=fingerprint.
    const Sha256Fingerprint& Fingerprint() const { return fingerprint_; }
    ssl_ctx_st* Raw() const { return ctx_; }

private:
    DtlsContext(ssl_ctx_st* ctx, const Sha256Fingerprint& fingerprint)
        : ctx_(ctx), fingerprint_(fingerprint) {}
    ssl_ctx_st* ctx_;
    Sha256Fingerprint fingerprint_;
};

// What one incoming datagram produced.
struct DtlsInput {
    std::vector<std::string> records;  // decrypted application data, in order
    bool handshake_completed = false;  // true exactly once, on the datagram that completed it
    bool closed = false;               // the peer sent close_notify
    absl::Status error;                // fatal: alert, failed handshake
};

class DtlsSession final {
public:
    using SendFn = std::function<void(std::string_view datagram)>;

    // `context` must outlive the session. `send` is called for every outgoing datagram.
    static absl::StatusOr<std::unique_ptr<DtlsSession>> Create(
        const DtlsContext& context, DtlsRole role, SendFn send);
    ~DtlsSession();
    DtlsSession(const DtlsSession&) = delete;
    DtlsSession& operator=(const DtlsSession&) = delete;

    DtlsRole Role() const { return role_; }
    bool Connected() const { return connected_; }
    bool Closed() const { return closed_; }

    // A client sends its ClientHello; a server does nothing (it waits for one).
    absl::Status Start();
    DtlsInput HandleDatagram(std::string_view datagram);
    // FailedPrecondition before the handshake completes or after close; Unavailable when
    // OpenSSL refuses the record.
    absl::Status Write(std::string_view data);
    // How long until the handshake retransmission timer fires; nullopt when none is running.
    std::optional<std::chrono::milliseconds> TimeUntilRetransmit() const;
    // Retransmits if due. DeadlineExceeded when OpenSSL gave up on the handshake.
    absl::Status HandleRetransmitTimer();
    // SHA-256 of the peer certificate's DER; NotFound before the handshake has one.
    absl::StatusOr<Sha256Fingerprint> PeerFingerprint() const;
    // Sends close_notify once; later Writes fail.
    void Close();

private:
    DtlsSession(DtlsRole role, SendFn send) : role_(role), send_(std::move(send)) {}
    void Advance(DtlsInput& input);

    DtlsRole role_;
    SendFn send_;
    ssl_st* ssl_ = nullptr;
    bio_st* in_ = nullptr;  // owned by ssl_
    bool connected_ = false;
    bool closed_ = false;
    bool failed_ = false;

    friend struct DtlsBioAccess;
};

}  // namespace hatongsu::webrtc
