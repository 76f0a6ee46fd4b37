// File: who may call a service (issue 5, section 4). A service accepts calls only from callers
// that prove they are one of ours, by either of two means:
//   - mutual TLS: the transport verified a client certificate signed by our CA (tls.h), or
//   - the shared service secret (HATONGSU_SERVICE_SECRET), sent by the caller as the call
//     metadata `x-service-token` and compared in constant time.
// A server with neither (open mode) is allowed only on a loopback address (CheckListenSecurity):
// it accepts every call but trusts none, so caller-supplied metadata such as `x-client-ip` is
// ignored and the peer address is used (ClientIpOf in server.h).
//
// The standard health service is left open on purpose: readiness probes (the gateway's /readyz,
// an orchestrator's gRPC probe) cannot send a secret, and it answers only SERVING/NOT_SERVING.
//
// Each unary handler starts with
//   if (auto* refused = rpc::RefuseUnauthenticated(auth_, ctx)) {
//       return refused;
//   }
// (gRPC 1.51 offers no cleaner hook: a server interceptor cannot finish a call, and an
// AuthMetadataProcessor cannot be attached to insecure server credentials.)
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <absl/status/status.h>
#include <grpcpp/grpcpp.h>

namespace hatongsu::rpc {

inline constexpr const char* kServiceTokenKey = "x-service-token";
inline constexpr std::size_t kMinServiceSecretLength = 16;

// Immutable after construction: safe from every gRPC thread.
class ServiceAuth final {
public:
    // `secret` empty: no secret (callers must use mutual TLS, or the server is open).
    // `mutual_tls`: the server's credentials require a verified client certificate.
    ServiceAuth(std::string_view secret, bool mutual_tls);

    // Whether callers that cannot prove themselves are refused (a secret or mTLS is configured).
    bool Required() const { return secret_digest_.has_value() || mutual_tls_; }
    // Whether this caller proved it is one of ours: the right x-service-token, or a client
    // certificate verified by the TLS layer.
    bool Authenticated(const grpc::ServerContextBase& ctx) const;

private:
    std::optional<std::array<unsigned char, 32>> secret_digest_;  // SHA-256 of the secret
    bool mutual_tls_;
};

// For the top of a unary handler: nullptr when the call may go on; otherwise the call's default
// reactor, already finished with UNAUTHENTICATED ("SERVICE_AUTH_REQUIRED").
grpc::ServerUnaryReactor* RefuseUnauthenticated(
    const ServiceAuth& auth, grpc::CallbackServerContext* ctx);

// Start-up check of a gRPC listen address ("host:port", "[v6]:port", "unix:path"): a server
// reachable beyond this host needs a secret or mutual TLS. InvalidArgument with a message for the
// operator naming `secret_variable` otherwise; also when the secret is shorter than
// kMinServiceSecretLength.
absl::Status CheckListenSecurity(
    const std::string& address,
    std::string_view secret,
    bool mutual_tls,
    std::string_view secret_variable);

// Whether the host of a listen address is loopback only: 127.0.0.0/8, ::1, localhost, or a Unix
// socket. 0.0.0.0, [::] and every other address are not.
bool IsLoopbackAddress(const std::string& address);

// "ipv4:10.0.0.7:51234" -> "10.0.0.7", "ipv6:[::1]:4001" -> "::1"; anything else as it is. The
// port is dropped: it differs per connection, and callers key on the address.
std::string PeerHost(std::string_view peer);

}  // namespace hatongsu::rpc
