// Password hashing. Argon2idPasswordHasher implements it (Argon2id for new hashes, and bcrypt $2b$
// hashes of the original still verify). Slow on purpose: call it off I/O threads. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace hatongsu::user {

class PasswordHasher {
public:
    virtual ~PasswordHasher() = default;
    virtual absl::StatusOr<std::string> Hash(std::string_view password) = 0;
    virtual bool Verify(std::string_view password, const std::string& hash) = 0;
    // True for hashes of an older scheme or weaker parameters: rehash after a successful login.
    virtual bool NeedsRehash(const std::string& hash) = 0;
};

}  // namespace hatongsu::user
