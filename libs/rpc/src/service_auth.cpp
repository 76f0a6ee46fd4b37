#include "hatongsu/rpc/service_auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace hatongsu::rpc {
namespace {

std::array<unsigned char, 32> Sha256(std::string_view text) {
    std::array<unsigned char, 32> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// The host of "host:port" / "[v6]:port" / "host", without brackets.
std::string_view HostOf(std::string_view address) {
    for (std::string_view scheme : {"ipv4:", "ipv6:", "dns:"}) {
        if (StartsWith(address, scheme)) {
            address.remove_prefix(scheme.size());
        }
    }
    if (StartsWith(address, "[")) {
        auto close = address.find(']');
        return close == std::string_view::npos ? address : address.substr(1, close - 1);
    }
    if (address.find(':') != address.rfind(':')) {
        return address;  // a bare IPv6 address without a port
    }
    auto colon = address.rfind(':');
    return colon == std::string_view::npos ? address : address.substr(0, colon);
}

}  // namespace

ServiceAuth::ServiceAuth(std::string_view secret, bool mutual_tls) : mutual_tls_(mutual_tls) {
    if (!secret.empty()) {
        secret_digest_ = Sha256(secret);
    }
}

bool ServiceAuth::Authenticated(const grpc::ServerContextBase& ctx) const {
    if (secret_digest_) {
        const auto& md = ctx.client_metadata();
        auto it = md.find(kServiceTokenKey);
        if (it != md.end()) {
            // Digests of equal length, compared in constant time: neither the secret's content
            // nor its length leaks through the answer's timing.
            auto presented = Sha256(std::string_view(it->second.data(), it->second.size()));
            if (CRYPTO_memcmp(presented.data(), secret_digest_->data(), presented.size()) == 0) {
                return true;
            }
        }
    }
    auto auth = ctx.auth_context();
    return auth != nullptr && auth->IsPeerAuthenticated();
}

grpc::ServerUnaryReactor* RefuseUnauthenticated(
    const ServiceAuth& auth, grpc::CallbackServerContext* ctx) {
    if (!auth.Required() || auth.Authenticated(*ctx)) {
        return nullptr;
    }
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "SERVICE_AUTH_REQUIRED"));
    return reactor;
}

bool IsLoopbackAddress(const std::string& address) {
    if (StartsWith(address, "unix:") || StartsWith(address, "unix-abstract:")) {
        return true;  // never reachable from another host
    }
    std::string host(HostOf(address));
    if (host == "localhost") {
        return true;
    }
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&v6);
    }
    return false;
}

absl::Status CheckListenSecurity(
    const std::string& address,
    std::string_view secret,
    bool mutual_tls,
    std::string_view secret_variable) {
    if (!secret.empty() && secret.size() < kMinServiceSecretLength) {
        return absl::InvalidArgumentError(
            std::string(secret_variable) + " is too short: use at least " +
            std::to_string(kMinServiceSecretLength) + " random characters");
    }
    if (secret.empty() && !mutual_tls && !IsLoopbackAddress(address)) {
        return absl::InvalidArgumentError(
            "gRPC listen address " + address +
            " is reachable from other hosts but callers are not authenticated: set " +
            std::string(secret_variable) +
            " (the same value on the gateway) or mutual TLS (a client CA), or listen on "
            "127.0.0.1");
    }
    return absl::OkStatus();
}

std::string PeerHost(std::string_view peer) {
    std::string text(peer);
    // Newer gRPC versions percent-encode the brackets of an IPv6 peer.
    for (auto [from, to] : {std::pair{"%5B", "["}, std::pair{"%5D", "]"}}) {
        for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from)) {
            text.replace(pos, 3, to);
        }
    }
    if (!StartsWith(text, "ipv4:") && !StartsWith(text, "ipv6:")) {
        return std::string(peer);
    }
    return std::string(HostOf(text));
}

}  // namespace hatongsu::rpc
