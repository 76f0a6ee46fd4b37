// SipHash-2-4: a 64-bit keyed hash (Aumasson and Bernstein), so tables keyed by what clients send
// cannot be aimed at one bucket by someone who does not know the key. Pure, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hatongsu::user {

using SipKey = std::array<uint64_t, 2>;

uint64_t SipHash24(const SipKey& key, std::string_view data);

// A key from std::random_device, for tables that live as long as the process.
SipKey RandomSipKey();

}  // namespace hatongsu::user
