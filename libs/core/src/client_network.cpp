#include "hatongsu/core/client_network.h"

#include <array>
#include <cstdio>

#include <arpa/inet.h>

namespace hatongsu::core {

std::string ClientNetwork(std::string_view address) {
    std::string text(address);
    if (!text.empty() && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    std::array<unsigned char, 16> v6{};
    if (inet_pton(AF_INET6, text.c_str(), v6.data()) != 1) {
        return text;  // IPv4 (kept whole) or not an address at all
    }
    bool mapped_v4 = true;  // ::ffff:a.b.c.d
    for (int i = 0; i < 10; ++i) {
        mapped_v4 = mapped_v4 && v6[i] == 0;
    }
    if (mapped_v4 && v6[10] == 0xff && v6[11] == 0xff) {
        char v4[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, v6.data() + 12, v4, sizeof v4);
        return v4;
    }
    char out[48];
    std::snprintf(
        out, sizeof out, "%x:%x:%x:%x::/64", (v6[0] << 8) | v6[1], (v6[2] << 8) | v6[3],
        (v6[4] << 8) | v6[5], (v6[6] << 8) | v6[7]);
    return out;
}

}  // namespace hatongsu::core
