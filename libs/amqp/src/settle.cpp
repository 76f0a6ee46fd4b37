#include "libs/amqp/src/settle.h"

#include <charconv>

#include "hatongsu/amqp/backoff.h"

namespace hatongsu::amqp::internal {

Plan PlanSettlement(const Outcome& outcome, int attempt, const RetryPolicy& policy) {
    Plan plan;
    if (std::holds_alternative<Ack>(outcome)) {
        return plan;
    }
    if (const auto* dead = std::get_if<DeadLetter>(&outcome)) {
        plan.action = Plan::Action::kDeadLetter;
        plan.reason = dead->reason;
        plan.attempt_header = attempt;
        return plan;
    }
    const auto& retry = std::get<Retry>(outcome);
    plan.reason = retry.reason;
    if (attempt >= policy.max_attempts) {
        plan.action = Plan::Action::kDeadLetter;
        plan.attempt_header = attempt;
        return plan;
    }
    plan.action = Plan::Action::kRetry;
    plan.attempt_header = attempt + 1;
    plan.delay = RetryDelay(attempt, policy.base_delay, policy.max_delay);
    return plan;
}

int AttemptFromHeaders(const std::map<std::string, std::string>& headers) {
    auto it = headers.find(kAttemptHeader);
    if (it == headers.end()) {
        return 1;
    }
    const std::string& text = it->second;
    int value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < 1 || value > 1'000'000) {
        return 1;
    }
    return value;
}

}  // namespace hatongsu::amqp::internal
