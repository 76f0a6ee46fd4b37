#include "services/user/domain/login_throttle.h"

namespace hatongsu::user {

int LoginThrottle::Failures(
    std::unordered_map<std::string, Window>& map,
    const std::string& key,
    std::chrono::system_clock::time_point now) {
    auto it = map.find(key);
    if (it == map.end()) {
        return 0;
    }
    if (now - it->second.start >= limits_.window) {
        map.erase(it);
        return 0;
    }
    return it->second.failures;
}

void LoginThrottle::Bump(
    std::unordered_map<std::string, Window>& map,
    const std::string& key,
    std::chrono::system_clock::time_point now) {
    if (Failures(map, key, now) == 0) {
        map[key] = Window{now, 0};
    }
    ++map[key].failures;
}

void LoginThrottle::SweepIfLarge(std::chrono::system_clock::time_point now) {
    constexpr std::size_t kMaxEntries = 100'000;  // bounds memory under a spray of addresses
    for (auto* map : {&by_account_, &by_address_}) {
        if (map->size() < kMaxEntries) {
            continue;
        }
        std::erase_if(
            *map, [&](const auto& kv) { return now - kv.second.start >= limits_.window; });
    }
}

bool LoginThrottle::Allowed(
    const std::string& account,
    const std::string& address,
    std::chrono::system_clock::time_point now) {
    absl::MutexLock lock(&mu_);
    return Failures(by_account_, account, now) < limits_.max_failures_per_account &&
           Failures(by_address_, address, now) < limits_.max_failures_per_address;
}

void LoginThrottle::RecordFailure(
    const std::string& account,
    const std::string& address,
    std::chrono::system_clock::time_point now) {
    absl::MutexLock lock(&mu_);
    SweepIfLarge(now);
    Bump(by_account_, account, now);
    Bump(by_address_, address, now);
}

void LoginThrottle::RecordSuccess(const std::string& account) {
    absl::MutexLock lock(&mu_);
    by_account_.erase(account);
}

}  // namespace hatongsu::user
