// Exponential back-off, used for message retries (the per-message expiration on the retry queue)
// and for reconnecting to the broker. A pure function: no clock, no randomness.
//
//   RetryDelay(1, 1s, 60s) == 1s;  RetryDelay(3, 1s, 60s) == 4s;  RetryDelay(30, 1s, 60s) == 60s
#pragma once

#include <chrono>

namespace hatongsu::amqp {

// The wait after attempt number `attempt` (1-based) failed: base * 2^(attempt-1), capped at
// `max_delay`. Never overflows; attempt < 1 counts as 1, a negative base or cap as zero.
std::chrono::milliseconds RetryDelay(
    int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max_delay);

}  // namespace hatongsu::amqp
