#include "hatongsu/rpc/tls.h"

#include <stdexcept>

#include <grpcpp/security/server_credentials.h>

#include "hatongsu/core/file.h"

namespace hatongsu::rpc {
namespace {

std::string ReadPem(const std::string& path) {
    auto pem = core::ReadFile(path);
    if (!pem.ok()) {
        throw std::runtime_error(std::string(pem.status().message()));
    }
    return *std::move(pem);
}

}  // namespace

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ServerTls& tls) {
    if (tls.cert_file.empty() && tls.key_file.empty()) {
        return grpc::InsecureServerCredentials();
    }
    grpc::SslServerCredentialsOptions options(
        tls.client_ca_file.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                   : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_key_cert_pairs.push_back({ReadPem(tls.key_file), ReadPem(tls.cert_file)});
    if (!tls.client_ca_file.empty()) {
        options.pem_root_certs = ReadPem(tls.client_ca_file);
    }
    return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ClientTls& tls) {
    if (tls.ca_file.empty()) {
        return grpc::InsecureChannelCredentials();
    }
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadPem(tls.ca_file);
    if (!tls.cert_file.empty()) {
        options.pem_cert_chain = ReadPem(tls.cert_file);
        options.pem_private_key = ReadPem(tls.key_file);
    }
    return grpc::SslCredentials(options);
}

}  // namespace hatongsu::rpc
