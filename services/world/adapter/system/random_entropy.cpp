#include "services/world/adapter/system/random_entropy.h"

#include <cstdint>
#include <string_view>

#include "hatongsu/core/random.h"

namespace hatongsu::world::system {

std::string RandomEntropy::NewId() {
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id;
    while (id.size() < 24) {
        for (unsigned char b : core::RandomBytes(32)) {
            // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
            if (b < 248 && id.size() < 24) {
                id += kAlphabet[b % 62];
            }
        }
    }
    return id;
}

double RandomEntropy::Uniform() {
    std::string bytes = core::RandomBytes(8);
    std::uint64_t bits = 0;
    for (unsigned char b : bytes) {
        bits = (bits << 8) | b;
    }
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace hatongsu::world::system
