#include "services/gateway/usecase/response_cache.h"

namespace hatongsu::gateway {

ResponseCache::Lookup ResponseCache::Get(const std::string& key) {
    if (!Enabled()) {
        return {nullptr, false};
    }
    auto now = clock_.Now();
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return {nullptr, true};
    }
    Entry& e = it->second;
    if (now < e.expires) {
        return {e.body, false};
    }
    // Stale: one caller refreshes; the rest answer with the stale body meanwhile. A refresh that
    // never came back (its client went away) is taken over after a few TTLs, and an entry stale
    // for that long is not served at all.
    const auto give_up = settings_.ttl * 5;
    if (now - e.expires > give_up) {
        EraseLocked(it);
        return {nullptr, true};
    }
    if (e.refreshing == std::chrono::system_clock::time_point{} || now - e.refreshing > give_up) {
        e.refreshing = now;
        return {e.body, true};
    }
    return {e.body, false};
}

void ResponseCache::Abandon(const std::string& key) {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        it->second.refreshing = {};
    }
}

void ResponseCache::Put(const std::string& key, std::string body) {
    std::size_t size = key.size() * 2 + body.size();  // the key is held twice (map and order)
    if (!Enabled() || size > settings_.max_bytes / 4) {
        return;  // one answer may not take over the cache
    }
    auto expires = clock_.Now() + settings_.ttl;
    auto shared = std::make_shared<const std::string>(std::move(body));
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        EraseLocked(it);
    }
    while (bytes_ + size > settings_.max_bytes && !order_.empty()) {
        EraseLocked(entries_.find(order_.front()));
    }
    order_.push_back(key);
    entries_.emplace(key, Entry{std::move(shared), expires, {}, std::prev(order_.end())});
    bytes_ += size;
}

void ResponseCache::Invalidate() {
    std::lock_guard lock(mu_);
    entries_.clear();
    order_.clear();
    bytes_ = 0;
}

std::size_t ResponseCache::BytesForTest() {
    std::lock_guard lock(mu_);
    return bytes_;
}

void ResponseCache::EraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
    bytes_ -= it->first.size() * 2 + it->second.body->size();
    order_.erase(it->second.age);
    entries_.erase(it);
}

}  // namespace hatongsu::gateway
