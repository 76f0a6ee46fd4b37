#include "hatongsu/webrtc/dtls.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace hatongsu::webrtc {
namespace {

// 1200 bytes of UDP payload keeps every datagram under the IPv6 minimum MTU with headroom.
constexpr long kDtlsMtu = 1200;

std::string OpenSslError(std::string_view what) {
    std::string out(what);
    const unsigned long code = ERR_get_error();
    if (code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof(buf));
        out += ": ";
        out += buf;
    }
    ERR_clear_error();
    return out;
}

int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) {
    return 1;  // self-signed by design; the fingerprint from the SDP is checked instead
}

absl::StatusOr<Sha256Fingerprint> Digest(X509* cert) {
    Sha256Fingerprint fp{};
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), fp.data(), &len) != 1 || len != fp.size()) {
        return absl::InternalError(OpenSslError("dtls: X509_digest failed"));
    }
    return fp;
}

struct X509Deleter {
    void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

}  // namespace

// Bridges OpenSSL's C callbacks to the session's private members.
struct DtlsBioAccess {
    static int Write(BIO* bio, const char* data, int length) {
        auto* session = static_cast<DtlsSession*>(BIO_get_data(bio));
        if (session == nullptr || length < 0) {
            return -1;
        }
        session->send_(std::string_view(data, static_cast<size_t>(length)));
        return length;
    }
    static long Ctrl(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/) {
        switch (cmd) {
            case BIO_CTRL_FLUSH:
                return 1;
            case BIO_CTRL_DGRAM_QUERY_MTU:
                return kDtlsMtu;
            default:
                return 0;
        }
    }
    static int Create(BIO* bio) {
        BIO_set_init(bio, 1);
        return 1;
    }
    static const BIO_METHOD* Method() {
        // Created once per process and kept for its lifetime (OpenSSL has no static BIO_METHOD).
        static BIO_METHOD* const method = [] {
            BIO_METHOD* m =
                BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hatongsu dtls out");
            BIO_meth_set_write(m, &DtlsBioAccess::Write);
            BIO_meth_set_ctrl(m, &DtlsBioAccess::Ctrl);
            BIO_meth_set_create(m, &DtlsBioAccess::Create);
            return m;
        }();
        return method;
    }
};

absl::StatusOr<std::shared_ptr<DtlsContext>> DtlsContext::Create() {
    std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
    if (!key) {
        return absl::InternalError(OpenSslError("dtls: EC key generation failed"));
    }
    std::unique_ptr<X509, X509Deleter> cert(X509_new());
    uint64_t serial = 0;
    if (!cert || RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1) {
        return absl::InternalError(OpenSslError("dtls: certificate allocation failed"));
    }
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial >> 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("hatongsu"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
        return absl::InternalError(OpenSslError("dtls: certificate signing failed"));
    }
    auto fingerprint = Digest(cert.get());
    if (!fingerprint.ok()) {
        return fingerprint.status();
    }

    SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
    if (ctx == nullptr) {
        return absl::InternalError(OpenSslError("dtls: SSL_CTX_new failed"));
    }
    std::shared_ptr<DtlsContext> out(new DtlsContext(ctx, *fingerprint));
    if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1 ||
        SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(
            ctx,
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
            "ECDHE-ECDSA-AES256-GCM-SHA384") != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1) {
        return absl::InternalError(OpenSslError("dtls: context setup failed"));
    }
    SSL_CTX_set_verify(
        ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &AcceptAnyCertificate);
    SSL_CTX_set_options(
        ctx,
        SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_read_ahead(ctx, 1);
    return out;
}

DtlsContext::~DtlsContext() {
    SSL_CTX_free(ctx_);
}

absl::StatusOr<std::unique_ptr<DtlsSession>> DtlsSession::Create(
    const DtlsContext& context, DtlsRole role, SendFn send) {
    std::unique_ptr<DtlsSession> s(new DtlsSession(role, std::move(send)));
    s->ssl_ = SSL_new(context.Raw());
    if (s->ssl_ == nullptr) {
        return absl::InternalError(OpenSslError("dtls: SSL_new failed"));
    }
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(DtlsBioAccess::Method());
    if (in == nullptr || out == nullptr) {
        BIO_free(in);
        BIO_free(out);
        return absl::InternalError(OpenSslError("dtls: BIO_new failed"));
    }
    BIO_set_mem_eof_return(in, -1);
    BIO_set_data(out, s.get());
    SSL_set_bio(s->ssl_, in, out);
    s->in_ = in;
    SSL_set_mtu(s->ssl_, kDtlsMtu);
    DTLS_set_link_mtu(s->ssl_, kDtlsMtu);
    if (role == DtlsRole::kServer) {
        SSL_set_accept_state(s->ssl_);
    } else {
        SSL_set_connect_state(s->ssl_);
    }
    return s;
}

DtlsSession::~DtlsSession() {
    if (ssl_ != nullptr) {
        BIO_set_data(SSL_get_wbio(ssl_), nullptr);
        SSL_free(ssl_);
    }
}

absl::Status DtlsSession::Start() {
    if (role_ == DtlsRole::kServer) {
        return absl::OkStatus();
    }
    DtlsInput ignored;
    Advance(ignored);
    return ignored.error;
}

void DtlsSession::Advance(DtlsInput& input) {
    if (failed_ || closed_) {
        return;
    }
    ERR_clear_error();
    if (!connected_) {
        const int rc = SSL_do_handshake(ssl_);
        if (rc == 1) {
            connected_ = true;
            input.handshake_completed = true;
        } else {
            const int err = SSL_get_error(ssl_, rc);
            if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                failed_ = true;
                input.error = absl::UnavailableError(OpenSslError("dtls: handshake failed"));
                return;
            }
            return;
        }
    }
    char buf[16384];
    for (;;) {
        const int n = SSL_read(ssl_, buf, sizeof(buf));
        if (n > 0) {
            input.records.emplace_back(buf, static_cast<size_t>(n));
            continue;
        }
        const int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            return;
        }
        if (err == SSL_ERROR_ZERO_RETURN) {
            closed_ = true;
            input.closed = true;
            return;
        }
        failed_ = true;
        input.error = absl::UnavailableError(OpenSslError("dtls: connection failed"));
        return;
    }
}

DtlsInput DtlsSession::HandleDatagram(std::string_view datagram) {
    DtlsInput input;
    if (failed_ || closed_ || datagram.empty()) {
        return input;
    }
    BIO_write(in_, datagram.data(), static_cast<int>(datagram.size()));
    Advance(input);
    // Anything OpenSSL did not consume (it discards bad records itself) must not leak into the
    // next datagram.
    (void)BIO_reset(in_);
    return input;
}

absl::Status DtlsSession::Write(std::string_view data) {
    if (!connected_ || closed_ || failed_) {
        return absl::FailedPreconditionError("dtls: not connected");
    }
    ERR_clear_error();
    const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
    if (n <= 0 || static_cast<size_t>(n) != data.size()) {
        return absl::UnavailableError(OpenSslError("dtls: write failed"));
    }
    return absl::OkStatus();
}

std::optional<std::chrono::milliseconds> DtlsSession::TimeUntilRetransmit() const {
    if (connected_ || failed_ || closed_) {
        return std::nullopt;
    }
    timeval tv{};
    if (DTLSv1_get_timeout(ssl_, &tv) != 1) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

absl::Status DtlsSession::HandleRetransmitTimer() {
    if (connected_ || failed_ || closed_) {
        return absl::OkStatus();
    }
    ERR_clear_error();
    if (DTLSv1_handle_timeout(ssl_) < 0) {
        failed_ = true;
        return absl::DeadlineExceededError(OpenSslError("dtls: handshake timed out"));
    }
    return absl::OkStatus();
}

absl::StatusOr<Sha256Fingerprint> DtlsSession::PeerFingerprint() const {
    std::unique_ptr<X509, X509Deleter> cert(SSL_get1_peer_certificate(ssl_));
    if (!cert) {
        return absl::NotFoundError("dtls: no peer certificate");
    }
    return Digest(cert.get());
}

void DtlsSession::Close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    if (connected_ && !failed_) {
        ERR_clear_error();
        SSL_shutdown(ssl_);
    }
}

}  // namespace hatongsu::webrtc
