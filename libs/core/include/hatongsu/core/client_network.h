// The unit a client address is counted by (login throttle, registration limit, hashing lanes, event
// seat limits): an IPv4 address as it is, an IPv6 address by its /64 network, since one host or one
// customer usually holds a whole /64 and could otherwise pose as 2^64 clients. Pure function.
#pragma once

#include <string>
#include <string_view>

namespace hatongsu::core {

// "203.0.113.7" -> "203.0.113.7"; "::ffff:203.0.113.7" -> "203.0.113.7";
// "2001:db8:1:2:aaaa::1" -> "2001:db8:1:2::/64"; anything that is not an address is returned as
// it is (the caller's key is then that text).
std::string ClientNetwork(std::string_view address);

}  // namespace hatongsu::core
