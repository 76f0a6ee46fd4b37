// A short-lived cache of public JSON answers (the album's home-page routes: every visitor asks the
// same questions), keyed by the request target as sent. An entry is fresh for `ttl` (so a change
// made elsewhere, e.g. an upload finishing, shows within about that), and Invalidate() drops
// everything at once (this gateway deleted or moved something). When an entry goes stale, the
// first request asks upstream again while the others keep getting the stale answer until the new
// one is in, so expiry never sends every waiting client upstream at once. Memory is bounded by
// `max_bytes` of bodies and keys: past it the oldest entries go first. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "hatongsu/core/clock.h"

namespace hatongsu::gateway {

struct ResponseCacheSettings {
    std::chrono::milliseconds ttl{1000};  // 0: the cache is off
    std::size_t max_bytes = 16 << 20;
};

class ResponseCache final {
public:
    ResponseCache(core::Clock& clock, ResponseCacheSettings settings)
        : clock_(clock), settings_(settings) {}

    bool Enabled() const { return settings_.ttl.count() > 0; }
    struct Lookup {
        std::shared_ptr<const std::string> body;  // null: nothing to answer with
        bool refresh = false;  // this caller asks upstream, then Put()s or Abandon()s
    };
    Lookup Get(const std::string& key);
    void Put(const std::string& key, std::string body);
    // The refresh this caller took on failed: the next request tries again.
    void Abandon(const std::string& key);
    void Invalidate();
    std::size_t BytesForTest();

private:
    struct Entry {
        std::shared_ptr<const std::string> body;
        std::chrono::system_clock::time_point expires;
        // A caller is asking upstream since then (stale entries only); epoch: nobody.
        std::chrono::system_clock::time_point refreshing{};
        std::list<std::string>::iterator age;  // position in order_ (oldest first)
    };
    void EraseLocked(std::unordered_map<std::string, Entry>::iterator it);

    core::Clock& clock_;  // owned by main, outlives the cache
    const ResponseCacheSettings settings_;
    std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
    std::list<std::string> order_;                    // guarded by mu_
    std::size_t bytes_ = 0;                           // guarded by mu_
};

}  // namespace hatongsu::gateway
