#include "services/user/adapter/crypto/argon2_password_hasher.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include <crypt.h>
#include <sodium.h>

namespace hatongsu::user::crypto {
namespace {

bool IsBcrypt(const std::string& hash) {
    return hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$");
}

bool IsArgon2id(const std::string& hash) {
    return hash.starts_with("$argon2id$");
}

}  // namespace

Argon2idPasswordHasher::Argon2idPasswordHasher(Argon2Params params) : params_(params) {
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium failed to initialise");
    }
}

absl::StatusOr<std::string> Argon2idPasswordHasher::Hash(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            out, password.data(), password.size(), params_.opslimit, params_.memlimit,
            crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return absl::ResourceExhaustedError("out of memory while hashing");
    }
    return std::string(out);
}

bool Argon2idPasswordHasher::Verify(std::string_view password, const std::string& hash) {
    std::string pw(password);
    if (IsArgon2id(hash)) {
        return crypto_pwhash_str_verify(hash.c_str(), pw.data(), pw.size()) == 0;
    }
    if (IsBcrypt(hash)) {
        if (pw.find('\0') != std::string::npos) {
            return false;  // crypt(3) would stop at the NUL and compare a prefix
        }
        crypt_data data{};
        const char* result = crypt_rn(pw.c_str(), hash.c_str(), &data, sizeof data);
        return result != nullptr && result[0] != '*' && std::strlen(result) == hash.size() &&
               sodium_memcmp(result, hash.data(), hash.size()) == 0;
    }
    return false;
}

bool Argon2idPasswordHasher::NeedsRehash(const std::string& hash) {
    if (!IsArgon2id(hash)) {
        return true;
    }
    return crypto_pwhash_str_needs_rehash(hash.c_str(), params_.opslimit, params_.memlimit) != 0;
}

}  // namespace hatongsu::user::crypto
