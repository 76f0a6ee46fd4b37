#include "hatongsu/amqp/backoff.h"

#include <algorithm>

namespace hatongsu::amqp {

std::chrono::milliseconds RetryDelay(
    int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max_delay) {
    const std::chrono::milliseconds::rep cap =
        std::max<std::chrono::milliseconds::rep>(max_delay.count(), 0);
    std::chrono::milliseconds::rep delay =
        std::clamp<std::chrono::milliseconds::rep>(base.count(), 0, cap);
    // Doubling stops as soon as the cap is reached, so the value never exceeds `cap` and can
    // never overflow, whatever `attempt` is.
    for (int i = 1; i < attempt && delay > 0 && delay < cap; ++i) {
        delay = delay > cap / 2 ? cap : delay * 2;
    }
    return std::chrono::milliseconds(delay);
}

}  // namespace hatongsu::amqp
