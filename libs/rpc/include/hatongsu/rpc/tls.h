// Transport security between services (weak point 8): gRPC over TLS with a private CA, and mutual
// TLS when the server is given a CA for client certificates. Everything empty means plaintext
// (loopback, or a network policy in front). Files are PEM; an unreadable file throws at start-up.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

namespace hatongsu::rpc {

struct ServerTls {
    std::string cert_file;       // the server's certificate chain
    std::string key_file;        // its private key
    std::string client_ca_file;  // set: clients must present a certificate signed by this CA (mTLS)
};

struct ClientTls {
    std::string ca_file;    // set: TLS, trusting only this CA for the server's certificate
    std::string cert_file;  // with key_file: the client certificate for mTLS
    std::string key_file;
};

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ServerTls& tls);
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ClientTls& tls);

}  // namespace hatongsu::rpc
