// Test helper: a freshly generated RSA key that publishes itself as a JWKS document and signs
// RS256 tokens with libjwt, standing in for Google's signing keys.
#pragma once

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/json/serialize.hpp>
#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "hatongsu/core/text.h"

namespace hatongsu::jwt::testing {

class TestRsaKey final {
public:
    explicit TestRsaKey(std::string kid)
        : kid_(std::move(kid)), key_(EVP_RSA_gen(2048), &EVP_PKEY_free) {
        if (!key_) {
            throw std::runtime_error("RSA key generation failed");
        }
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
        char* data = nullptr;
        long len = BIO_get_mem_data(bio, &data);
        private_pem_.assign(data, static_cast<std::size_t>(len));
        BIO_free(bio);
    }

    std::string Jwks() const {
        return boost::json::serialize(boost::json::object{
            {"keys", boost::json::array{boost::json::object{
                         {"kty", "RSA"},
                         {"alg", "RS256"},
                         {"use", "sig"},
                         {"kid", kid_},
                         {"n", Param(OSSL_PKEY_PARAM_RSA_N)},
                         {"e", Param(OSSL_PKEY_PARAM_RSA_E)}}}}});
    }

    std::string Sign(const boost::json::object& claims) const {
        jwt_t* j = nullptr;
        jwt_new(&j);
        std::string json = boost::json::serialize(claims);
        jwt_add_grants_json(j, json.c_str());
        jwt_add_header(j, "kid", kid_.c_str());
        jwt_set_alg(
            j, JWT_ALG_RS256, reinterpret_cast<const unsigned char*>(private_pem_.data()),
            static_cast<int>(private_pem_.size()));
        char* out = jwt_encode_str(j);
        std::string token = out != nullptr ? out : "";
        std::free(out);
        jwt_free(j);
        return token;
    }

    std::string PublicPem() const {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, key_.get());
        char* data = nullptr;
        long len = BIO_get_mem_data(bio, &data);
        std::string pem(data, static_cast<std::size_t>(len));
        BIO_free(bio);
        return pem;
    }

private:
    std::string Param(const char* name) const {
        BIGNUM* bn = nullptr;
        EVP_PKEY_get_bn_param(key_.get(), name, &bn);
        std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
        BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
        BN_free(bn);
        return core::Base64UrlEncode(bytes);
    }

    std::string kid_;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
    std::string private_pem_;
};

}  // namespace hatongsu::jwt::testing
