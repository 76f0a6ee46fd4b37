// Internal: what the consumer does with a handler's outcome, as a pure function (unit-tested
// without a broker), and how the attempt number travels in the x-attempt header.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "hatongsu/amqp/consumer.h"

namespace hatongsu::amqp::internal {

inline constexpr char kAttemptHeader[] = "x-attempt";
inline constexpr char kRetryReasonHeader[] = "x-retry-reason";
inline constexpr char kDeathReasonHeader[] = "x-death-reason";
inline constexpr char kBodySizeHeader[] = "x-body-size";
inline constexpr char kTooLarge[] = "TOO_LARGE";
inline constexpr char kNoOutcome[] = "NO_OUTCOME";

struct RetryPolicy {
    int max_attempts = 5;
    std::chrono::milliseconds base_delay{1000};
    std::chrono::milliseconds max_delay{60000};
};

struct Plan {
    enum class Action { kAck, kRetry, kDeadLetter };
    Action action = Action::kAck;
    std::string reason;                  // kRetry, kDeadLetter
    int attempt_header = 0;              // x-attempt of the copy: attempt+1 (retry) or attempt
    std::chrono::milliseconds delay{0};  // kRetry: the copy's expiration
};

Plan PlanSettlement(const Outcome& outcome, int attempt, const RetryPolicy& policy);

// x-attempt as a decimal number in 1..1'000'000; anything else (absent, garbage) is 1.
int AttemptFromHeaders(const std::map<std::string, std::string>& headers);

}  // namespace hatongsu::amqp::internal
