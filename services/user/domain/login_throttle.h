// Counts failed logins per account and per client address in fixed windows, and refuses further
// attempts once either passes its limit until the window ends. In memory, per process: replicas
// each keep their own counts. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

namespace hatongsu::user {

struct ThrottleLimits {
    int max_failures_per_account = 10;
    int max_failures_per_address = 50;
    std::chrono::system_clock::duration window = std::chrono::minutes(15);
};

class LoginThrottle final {
public:
    explicit LoginThrottle(ThrottleLimits limits) : limits_(limits) {}

    bool Allowed(
        const std::string& account,
        const std::string& address,
        std::chrono::system_clock::time_point now);
    void RecordFailure(
        const std::string& account,
        const std::string& address,
        std::chrono::system_clock::time_point now);
    void RecordSuccess(const std::string& account);

private:
    struct Window {
        std::chrono::system_clock::time_point start;
        int failures = 0;
    };
    int Failures(
        std::unordered_map<std::string, Window>& map,
        const std::string& key,
        std::chrono::system_clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
    void Bump(
        std::unordered_map<std::string, Window>& map,
        const std::string& key,
        std::chrono::system_clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
    void SweepIfLarge(std::chrono::system_clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

    const ThrottleLimits limits_;
    absl::Mutex mu_;
    std::unordered_map<std::string, Window> by_account_ ABSL_GUARDED_BY(mu_);
    std::unordered_map<std::string, Window> by_address_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hatongsu::user
