// GoogleTest matchers for absl::Status and absl::StatusOr under Abseil's later names:
// EXPECT_THAT(s, IsOk()); EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
// EXPECT_THAT(or, IsOkAndHolds(Eq(3))).
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <gmock/gmock.h>

namespace hatongsu::testkit {

inline const absl::Status& GetStatus(const absl::Status& s) {
    return s;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
    return s.status();
}

MATCHER(IsOk, "is OK") {
    const absl::Status& s = GetStatus(arg);
    *result_listener << "status is " << s;
    return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
    const absl::Status& s = GetStatus(arg);
    *result_listener << "status is " << s;
    return s.code() == code;
}

MATCHER_P2(StatusIs, code, message, "has status code and message") {
    const absl::Status& s = GetStatus(arg);
    *result_listener << "status is " << s;
    return s.code() == code && s.message() == message;
}

MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a value that matches") {
    if (!arg.ok()) {
        *result_listener << "status is " << arg.status();
        return false;
    }
    return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace hatongsu::testkit
