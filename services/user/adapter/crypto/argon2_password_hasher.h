// PasswordHasher on libsodium's Argon2id (new hashes, "$argon2id$..."), verifying the original's
// bcrypt "$2b$" hashes through libxcrypt. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "services/user/port/password_hasher.h"

namespace hatongsu::user::crypto {

struct Argon2Params {
    uint64_t opslimit = 2;             // passes over memory
    std::size_t memlimit = 64u << 20;  // bytes
};

class Argon2idPasswordHasher final : public PasswordHasher {
public:
    explicit Argon2idPasswordHasher(Argon2Params params);
    absl::StatusOr<std::string> Hash(std::string_view password) override;
    bool Verify(std::string_view password, const std::string& hash) override;
    bool NeedsRehash(const std::string& hash) override;

private:
    const Argon2Params params_;
};

}  // namespace hatongsu::user::crypto
