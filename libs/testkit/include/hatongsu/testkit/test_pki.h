// A throw-away private CA for TLS tests: WriteTestPki(dir) makes ca.pem, server.pem/server.key
// (for localhost and 127.0.0.1) and client.pem/client.key, all signed by the CA, valid for a day.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace hatongsu::testkit {

struct TestPki {
    std::string ca_cert;
    std::string server_cert;
    std::string server_key;
    std::string client_cert;
    std::string client_key;
};

namespace internal {

inline void WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) {
        throw std::runtime_error("cannot write " + path);
    }
    if (cert != nullptr) {
        PEM_write_X509(f, cert);
    } else {
        PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    }
    std::fclose(f);
}

inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by issuer/issuer_key (self-signed when null).
inline X509* MakeCert(
    const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, long serial) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME_add_entry_by_txt(
        X509_get_subject_name(cert), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
        -1, -1, 0);
    X509* signer = issuer != nullptr ? issuer : cert;
    X509_set_issuer_name(cert, X509_get_subject_name(signer));
    if (issuer == nullptr) {
        AddExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        AddExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        AddExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        AddExtension(cert, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        AddExtension(cert, signer, NID_ext_key_usage, "serverAuth,clientAuth");
    }
    X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256());
    return cert;
}

}  // namespace internal

inline TestPki WriteTestPki(const std::string& dir) {
    TestPki pki{
        dir + "/ca.pem", dir + "/server.pem", dir + "/server.key", dir + "/client.pem",
        dir + "/client.key"};
    EVP_PKEY* ca_key = EVP_EC_gen("P-256");
    EVP_PKEY* server_key = EVP_EC_gen("P-256");
    EVP_PKEY* client_key = EVP_EC_gen("P-256");
    X509* ca = internal::MakeCert("Hatongsu Test CA", ca_key, nullptr, nullptr, 1);
    X509* server = internal::MakeCert("localhost", server_key, ca, ca_key, 2);
    X509* client = internal::MakeCert("gateway", client_key, ca, ca_key, 3);
    internal::WritePem(pki.ca_cert, ca, nullptr);
    internal::WritePem(pki.server_cert, server, nullptr);
    internal::WritePem(pki.server_key, nullptr, server_key);
    internal::WritePem(pki.client_cert, client, nullptr);
    internal::WritePem(pki.client_key, nullptr, client_key);
    for (X509* c : {ca, server, client}) {
        X509_free(c);
    }
    for (EVP_PKEY* k : {ca_key, server_key, client_key}) {
        EVP_PKEY_free(k);
    }
    return pki;
}

}  // namespace hatongsu::testkit
