#include "services/user/domain/keyed_hash.h"

#include <random>

namespace hatongsu::user {
namespace {

constexpr uint64_t Rotl(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

struct SipState {
    uint64_t v0, v1, v2, v3;

    void Round() {
        v0 += v1;
        v1 = Rotl(v1, 13);
        v1 ^= v0;
        v0 = Rotl(v0, 32);
        v2 += v3;
        v3 = Rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Rotl(v1, 17);
        v1 ^= v2;
        v2 = Rotl(v2, 32);
    }

    void Absorb(uint64_t m) {
        v3 ^= m;
        Round();
        Round();
        v0 ^= m;
    }
};

// Little-endian load of up to 8 bytes, whatever the host's byte order.
uint64_t Load(std::string_view bytes) {
    uint64_t word = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        word |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    }
    return word;
}

}  // namespace

uint64_t SipHash24(const SipKey& key, std::string_view data) {
    SipState s{
        key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
        key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
    std::size_t full = data.size() / 8 * 8;
    for (std::size_t i = 0; i < full; i += 8) {
        s.Absorb(Load(data.substr(i, 8)));
    }
    s.Absorb(Load(data.substr(full)) | (static_cast<uint64_t>(data.size() & 0xff) << 56));
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) {
        s.Round();
    }
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

SipKey RandomSipKey() {
    std::random_device rd;
    auto word = [&] {
        return (static_cast<uint64_t>(rd()) << 32) ^ rd();
    };
    return {word(), word()};
}

}  // namespace hatongsu::user
