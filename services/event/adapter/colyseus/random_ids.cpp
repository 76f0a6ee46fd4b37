#include "services/event/adapter/colyseus/random_ids.h"

#include "hatongsu/core/random.h"

namespace hatongsu::event::colyseus {

std::string RandomIds::NewId() {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    std::string bytes = core::RandomBytes(9);
    std::string out(9, 'A');
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = kAlphabet[static_cast<unsigned char>(bytes[i]) & 63];
    }
    return out;
}

}  // namespace hatongsu::event::colyseus
