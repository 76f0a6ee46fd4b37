// Randomness from the operating system (OpenSSL's CSPRNG): ids, secrets, generated passwords.
// Thread-safe.
#pragma once

#include <string>

namespace hatongsu::core {

std::string RandomBytes(std::size_t count);
std::string RandomUuidV4();                             // lower-case, hyphenated
std::string RandomToken(std::size_t bytes_of_entropy);  // base64url, for passwords and ids

}  // namespace hatongsu::core
