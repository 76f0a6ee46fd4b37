#include "libs/amqp/src/settle.h"

#include <gtest/gtest.h>

namespace hatongsu::amqp::internal {
namespace {

using std::chrono::milliseconds;

const RetryPolicy kPolicy{
    .max_attempts = 3, .base_delay = milliseconds(100), .max_delay = milliseconds(250)};

TEST(PlanSettlement, AcksAnAck) {
    Plan plan = PlanSettlement(Ack{}, 1, kPolicy);
    EXPECT_EQ(plan.action, Plan::Action::kAck);
}

TEST(PlanSettlement, RetriesWithTheNextAttemptAndABackedOffExpiration) {
    Plan first = PlanSettlement(Retry{"DB_DOWN"}, 1, kPolicy);
    EXPECT_EQ(first.action, Plan::Action::kRetry);
    EXPECT_EQ(first.reason, "DB_DOWN");
    EXPECT_EQ(first.attempt_header, 2);
    EXPECT_EQ(first.delay, milliseconds(100));

    Plan second = PlanSettlement(Retry{"DB_DOWN"}, 2, kPolicy);
    EXPECT_EQ(second.action, Plan::Action::kRetry);
    EXPECT_EQ(second.attempt_header, 3);
    EXPECT_EQ(second.delay, milliseconds(200));
}

TEST(PlanSettlement, ARetryAtTheLastAttemptIsDeadLettered) {
    Plan plan = PlanSettlement(Retry{"DB_DOWN"}, 3, kPolicy);
    EXPECT_EQ(plan.action, Plan::Action::kDeadLetter);
    EXPECT_EQ(plan.reason, "DB_DOWN");
    EXPECT_EQ(plan.attempt_header, 3);

    // An attempt number beyond the limit (a peer's header) is dead-lettered too.
    EXPECT_EQ(PlanSettlement(Retry{"X"}, 1000, kPolicy).action, Plan::Action::kDeadLetter);
}

TEST(PlanSettlement, DeadLettersKeepTheirReasonAndAttempt) {
    Plan plan = PlanSettlement(DeadLetter{"NOT_AN_IMAGE"}, 2, kPolicy);
    EXPECT_EQ(plan.action, Plan::Action::kDeadLetter);
    EXPECT_EQ(plan.reason, "NOT_AN_IMAGE");
    EXPECT_EQ(plan.attempt_header, 2);
}

TEST(PlanSettlement, OneAttemptAllowedMeansNoRetry) {
    RetryPolicy once{
        .max_attempts = 1, .base_delay = milliseconds(1), .max_delay = milliseconds(1)};
    EXPECT_EQ(PlanSettlement(Retry{"X"}, 1, once).action, Plan::Action::kDeadLetter);
}

TEST(AttemptFromHeaders, ReadsTheHeaderAndDefaultsToOne) {
    EXPECT_EQ(AttemptFromHeaders({}), 1);
    EXPECT_EQ(AttemptFromHeaders({{"x-attempt", "4"}}), 4);
    EXPECT_EQ(AttemptFromHeaders({{"x-attempt", "1000000"}}), 1000000);
}

TEST(AttemptFromHeaders, IgnoresGarbage) {
    for (const char* bad : {"", "0", "-3", "+3", "2x", " 2", "1000001", "99999999999999999999"}) {
        EXPECT_EQ(AttemptFromHeaders({{"x-attempt", bad}}), 1) << bad;
    }
}

}  // namespace
}  // namespace hatongsu::amqp::internal
