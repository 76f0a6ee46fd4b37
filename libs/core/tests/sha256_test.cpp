#include "hatongsu/core/sha256.h"

#include <gtest/gtest.h>

namespace hatongsu::core {
namespace {

TEST(Sha256, MatchesKnownDigests) {
    EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalEqualsOneShot) {
    std::string data(100000, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>(i * 31);
    }
    Sha256 h;
    for (std::size_t i = 0; i < data.size(); i += 777) {
        h.Update(std::string_view(data).substr(i, 777));
    }
    EXPECT_EQ(h.HexDigest(), Sha256Hex(data));
}

}  // namespace
}  // namespace hatongsu::core
