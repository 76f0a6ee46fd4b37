#include "services/gateway/usecase/response_cache.h"

namespace hatongsu::gateway {

std::shared_ptr<const std::string> ResponseCache::Get(const std::string& key) {
    if (!Enabled()) {
        return nullptr;
    }
    auto now = clock_.Now();
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return nullptr;
    }
    if (it->second.expires <= now) {
        EraseLocked(it);
        return nullptr;
    }
    return it->second.body;
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
    entries_.emplace(key, Entry{std::move(shared), expires, std::prev(order_.end())});
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
