// Incremental SHA-256 (OpenSSL underneath), for content hashes computed while bytes stream by.
//   core::Sha256 h; h.Update(a); h.Update(b); std::string hex = h.HexDigest();
// Not thread-safe (one per stream); HexDigest ends it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hatongsu::core {

class Sha256 final {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void Update(std::string_view bytes);
    std::string HexDigest();  // 64 lower-case hex digits

private:
    struct State;
    std::unique_ptr<State> state_;
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace hatongsu::core
