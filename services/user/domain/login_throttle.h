// Login throttling that an attacker cannot turn against an account's owner. Counts failed logins
// per (account, address), per address and per account, in fixed windows, in fixed-size tables
// keyed by a keyed hash (no raw e-mail is kept, memory is set at construction; see
// window_counters.h). Thread-safe; in memory, per process (replicas each keep their own counts).
//
// - (account, address) over its limit: refused (429), whatever the password.
// - address over its limit: refused, except for accounts that logged in successfully from that
//   address recently ("known" pairs); failures of known pairs do not count against the address.
//   One address spraying cheap failures (an office, a proxy) so cannot lock out the people who
//   usually sign in from it.
// - an account's failures across all addresses never refuse: past a few, attempts from addresses
//   that are not known for the account wait a progressive delay, capped small.
// - attempts still in flight (admitted, password not yet checked) count against the pair's and
//   the address's limits, so a burst of concurrent guesses cannot all pass the check before the
//   first failure is recorded.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include "services/user/domain/keyed_hash.h"
#include "services/user/domain/window_counters.h"

namespace hatongsu::user {

struct ThrottleLimits {
    int max_failures_per_pair = 10;      // per (account, address) and window
    int max_failures_per_address = 100;  // per address and window, unknown accounts only
    std::chrono::system_clock::duration window = std::chrono::minutes(15);
    int failures_before_delay = 5;               // per account, across addresses, in a window
    std::chrono::milliseconds first_delay{250};  // then doubling per failure
    std::chrono::milliseconds max_delay{1000};
    std::chrono::system_clock::duration known_for = std::chrono::hours(24 * 30);
    std::size_t slots_per_table = std::size_t{1} << 16;  // five tables
};

struct ThrottleDecision {
    bool allowed = true;
    std::chrono::milliseconds delay{0};  // wait this long before checking the password
    // Held while the attempt is in flight: it counts against the limits until this is released
    // (the last copy destroyed), whatever becomes of the attempt. The throttle must outlive it.
    std::shared_ptr<void> in_flight;
};

class LoginThrottle final {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    explicit LoginThrottle(ThrottleLimits limits) : LoginThrottle(limits, RandomSipKey()) {}
    LoginThrottle(ThrottleLimits limits, SipKey key);

    // `account` is the normalised e-mail the lookup uses; `address` the client's address.
    ThrottleDecision Check(std::string_view account, std::string_view address, TimePoint now);
    void RecordFailure(std::string_view account, std::string_view address, TimePoint now);
    // Clears the pair's failures and marks the pair known.
    void RecordSuccess(std::string_view account, std::string_view address, TimePoint now);

    // Fixed at construction, whatever is recorded afterwards.
    std::size_t MemoryBytes() const { return memory_bytes_; }
    std::size_t LiveEntriesForTest(TimePoint now);

private:
    struct Keys {
        uint64_t pair, address, account;
    };
    Keys KeysOf(std::string_view account, std::string_view address) const;
    bool Known(const Keys& keys, TimePoint now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
    void Release(const Keys& keys, bool counted_address);
    std::chrono::milliseconds DelayFor(int account_failures) const;

    const ThrottleLimits limits_;
    const SipKey key_;
    absl::Mutex mu_;
    WindowCounters pairs_ ABSL_GUARDED_BY(mu_);
    WindowCounters addresses_ ABSL_GUARDED_BY(mu_);
    WindowCounters accounts_ ABSL_GUARDED_BY(mu_);
    WindowCounters known_ ABSL_GUARDED_BY(mu_);  // pairs with a recent success
    // Admitted attempts not yet decided, by pair key and by address key.
    WindowCounters in_flight_ ABSL_GUARDED_BY(mu_);
    std::size_t memory_bytes_ = 0;
};

}  // namespace hatongsu::user
