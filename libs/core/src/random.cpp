#include "hatongsu/core/random.h"

#include <stdexcept>

#include <openssl/rand.h>

#include "hatongsu/core/text.h"

namespace hatongsu::core {

std::string RandomBytes(std::size_t count) {
    std::string out(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("RAND_bytes failed");  // the OS has no entropy: cannot go on
    }
    return out;
}

std::string RandomUuidV4() {
    std::string b = RandomBytes(16);
    b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        out += kHex[(static_cast<unsigned char>(b[i]) >> 4) & 0xF];
        out += kHex[static_cast<unsigned char>(b[i]) & 0xF];
    }
    return out;
}

std::string RandomToken(std::size_t bytes_of_entropy) {
    return Base64UrlEncode(RandomBytes(bytes_of_entropy));
}

}  // namespace hatongsu::core
