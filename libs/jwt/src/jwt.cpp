#include "hatongsu/jwt/jwt.h"

#include <cstdlib>
#include <memory>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "hatongsu/core/clock.h"
#include "hatongsu/core/text.h"

namespace hatongsu::jwt {
namespace {

struct JwtFree {
    void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

absl::Status Refused(std::string_view why) {
    return absl::UnauthenticatedError(std::string(why));
}

// The decoded JSON header of a compact token, without verifying anything.
absl::StatusOr<boost::json::object> Header(std::string_view token) {
    auto dot = token.find('.');
    if (dot == std::string_view::npos || token.find('.', dot + 1) == std::string_view::npos) {
        return Refused("malformed token");
    }
    auto raw = core::Base64UrlDecode(token.substr(0, dot));
    if (!raw) {
        return Refused("malformed token");
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(*raw, ec);
    if (ec || !v.is_object()) {
        return Refused("malformed token");
    }
    return v.as_object();
}

absl::StatusOr<boost::json::object> DecodeVerified(
    std::string_view token,
    std::string_view key,
    jwt_alg_t expected_alg,
    std::string_view alg_name) {
    auto header = Header(token);
    if (!header.ok()) {
        return header.status();
    }
    const auto* alg = header->if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->get_string() != alg_name) {
        return Refused("unexpected token algorithm");
    }
    std::string t(token);
    jwt_t* raw = nullptr;
    int rc = jwt_decode(
        &raw, t.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
        static_cast<int>(key.size()));
    JwtPtr decoded(raw);
    if (rc != 0 || !decoded) {
        return Refused("invalid token signature");
    }
    if (jwt_get_alg(decoded.get()) != expected_alg) {
        return Refused("unexpected token algorithm");
    }
    char* grants = jwt_get_grants_json(decoded.get(), nullptr);
    if (grants == nullptr) {
        return Refused("malformed token");
    }
    std::unique_ptr<char, decltype(&std::free)> guard(grants, &std::free);
    boost::system::error_code ec;
    auto v = boost::json::parse(grants, ec);
    if (ec || !v.is_object()) {
        return Refused("malformed token");
    }
    return v.as_object();
}

std::string BigEndianFromB64(std::string_view b64url) {
    auto bytes = core::Base64UrlDecode(b64url);
    return bytes ? *bytes : std::string{};
}

// PEM (SubjectPublicKeyInfo) of the RSA key with modulus n and exponent e.
absl::StatusOr<std::string> RsaPem(const std::string& n, const std::string& e) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
        BN_bin2bn(
            reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr),
        &BN_free);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
        BN_bin2bn(
            reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr),
        &BN_free);
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(
        OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
    if (!bn_n || !bn_e || !bld ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
        return absl::InvalidArgumentError("bad RSA key");
    }
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
        OSSL_PARAM_BLD_to_param(bld.get()), &OSSL_PARAM_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY* pkey_raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey_raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
        return absl::InvalidArgumentError("bad RSA key");
    }
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(pkey_raw, &EVP_PKEY_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) {
        return absl::InternalError("cannot write PEM");
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

absl::StatusOr<std::string> SignHs256(const boost::json::object& claims, std::string_view secret) {
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) {
        return absl::InternalError("jwt_new failed");
    }
    JwtPtr j(raw);
    std::string json = boost::json::serialize(claims);
    if (jwt_add_grants_json(j.get(), json.c_str()) != 0 ||
        jwt_set_alg(
            j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
            static_cast<int>(secret.size())) != 0) {
        return absl::InternalError("cannot build token");
    }
    char* out = jwt_encode_str(j.get());
    if (out == nullptr) {
        return absl::InternalError("cannot encode token");
    }
    std::string token(out);
    std::free(out);
    return token;
}

absl::StatusOr<boost::json::object> VerifyHs256(std::string_view token, std::string_view secret) {
    if (secret.empty()) {
        return absl::FailedPreconditionError("no secret configured");
    }
    return DecodeVerified(token, secret, JWT_ALG_HS256, "HS256");
}

absl::Status CheckTimes(
    const boost::json::object& claims,
    std::chrono::system_clock::time_point now,
    std::chrono::seconds leeway) {
    int64_t t = core::EpochSeconds(now);
    const auto* exp = claims.if_contains("exp");
    if (exp == nullptr || !exp->is_number()) {
        return Refused("token has no expiry");
    }
    if (exp->to_number<double>() + static_cast<double>(leeway.count()) <= static_cast<double>(t)) {
        return Refused("token expired");
    }
    if (const auto* nbf = claims.if_contains("nbf"); nbf != nullptr) {
        if (!nbf->is_number() || nbf->to_number<double>() - static_cast<double>(leeway.count()) >
                                     static_cast<double>(t)) {
            return Refused("token not yet valid");
        }
    }
    return absl::OkStatus();
}

absl::StatusOr<AccessPrincipal> VerifyAccessToken(
    std::string_view token, std::string_view secret, std::chrono::system_clock::time_point now) {
    const absl::Status refused = absl::UnauthenticatedError("INVALID_TOKEN");
    if (secret.empty()) {
        return refused;
    }
    auto claims = VerifyHs256(token, secret);
    if (!claims.ok() || !CheckTimes(*claims, now, std::chrono::seconds(0)).ok()) {
        return refused;
    }
    auto string_claim = [&claims](const char* name) {
        const auto* v = claims->if_contains(name);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    AccessPrincipal principal{string_claim("sub"), string_claim("role")};
    if (string_claim("type") != "access" || principal.user_id.empty() ||
        (principal.role != "user" && principal.role != "admin")) {
        return refused;
    }
    return principal;
}

absl::StatusOr<KeySet> KeySet::FromJwks(std::string_view jwks_json) {
    boost::system::error_code ec;
    auto v = boost::json::parse(jwks_json, ec);
    if (ec || !v.is_object() || !v.as_object().contains("keys") || !v.at("keys").is_array()) {
        return absl::InvalidArgumentError("not a JWKS document");
    }
    KeySet set;
    for (const auto& key : v.at("keys").as_array()) {
        if (!key.is_object()) {
            continue;
        }
        const auto& k = key.as_object();
        auto str = [&](const char* name) -> std::string {
            const auto* f = k.if_contains(name);
            return f != nullptr && f->is_string() ? std::string(f->get_string()) : "";
        };
        if (str("kty") != "RSA" || (!str("alg").empty() && str("alg") != "RS256")) {
            continue;
        }
        auto pem = RsaPem(BigEndianFromB64(str("n")), BigEndianFromB64(str("e")));
        if (pem.ok()) {
            set.pem_by_kid_[str("kid")] = *pem;
        }
    }
    if (set.pem_by_kid_.empty()) {
        return absl::InvalidArgumentError("JWKS holds no usable RSA key");
    }
    return set;
}

absl::StatusOr<boost::json::object> KeySet::VerifyRs256(std::string_view token) const {
    auto header = Header(token);
    if (!header.ok()) {
        return header.status();
    }
    std::string kid;
    if (const auto* k = header->if_contains("kid"); k != nullptr && k->is_string()) {
        kid = std::string(k->get_string());
    }
    auto it = pem_by_kid_.find(kid);
    if (it != pem_by_kid_.end()) {
        return DecodeVerified(token, it->second, JWT_ALG_RS256, "RS256");
    }
    if (!kid.empty()) {
        return Refused("unknown signing key");
    }
    for (const auto& [id, pem] : pem_by_kid_) {
        auto claims = DecodeVerified(token, pem, JWT_ALG_RS256, "RS256");
        if (claims.ok()) {
            return claims;
        }
    }
    return Refused("invalid token signature");
}

absl::StatusOr<boost::json::object> UnverifiedClaims(std::string_view token) {
    auto first = token.find('.');
    auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return absl::InvalidArgumentError("not a compact JWT");
    }
    auto payload = core::Base64UrlDecode(token.substr(first + 1, second - first - 1));
    if (!payload) {
        return absl::InvalidArgumentError("JWT payload is not base64url");
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(*payload, ec);
    if (ec || !v.is_object()) {
        return absl::InvalidArgumentError("JWT payload is not a JSON object");
    }
    return v.as_object();
}

}  // namespace hatongsu::jwt
