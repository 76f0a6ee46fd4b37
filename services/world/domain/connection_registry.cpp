#include "services/world/domain/connection_registry.h"

namespace hatongsu::world {

absl::Status ConnectionRegistry::Admit(const std::string& address) const {
    if (pending_ >= limits_.max_pending) {
        return absl::UnavailableError("too many connections are being set up; try again later");
    }
    auto it = pending_by_address_.find(address);
    if (it != pending_by_address_.end() && it->second >= limits_.max_pending_per_address) {
        return absl::UnavailableError(
            "too many connections are being set up from this address; try again later");
    }
    if (auto all = by_address_.find(address);
        all != by_address_.end() && all->second >= limits_.max_per_address) {
        return absl::ResourceExhaustedError("too many connections from this address");
    }
    return absl::OkStatus();
}

absl::Status ConnectionRegistry::Add(const PeerId& id, const std::string& address, TimePoint now) {
    if (entries_.contains(id)) {
        return absl::AlreadyExistsError("connection id in use");
    }
    entries_.emplace(id, Entry{address, now, false});
    ++pending_by_address_[address];
    ++by_address_[address];
    ++pending_;
    return absl::OkStatus();
}

bool ConnectionRegistry::MarkOpen(const PeerId& id) {
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        return false;
    }
    if (!it->second.open) {
        it->second.open = true;
        --pending_;
        auto a = pending_by_address_.find(it->second.address);
        if (--a->second == 0) {
            pending_by_address_.erase(a);
        }
    }
    return true;
}

bool ConnectionRegistry::IsOpen(const PeerId& id) const {
    auto it = entries_.find(id);
    return it != entries_.end() && it->second.open;
}

void ConnectionRegistry::Forget(std::map<PeerId, Entry>::iterator it) {
    if (!it->second.open) {
        --pending_;
        auto a = pending_by_address_.find(it->second.address);
        if (--a->second == 0) {
            pending_by_address_.erase(a);
        }
    }
    auto all = by_address_.find(it->second.address);
    if (--all->second == 0) {
        by_address_.erase(all);
    }
    entries_.erase(it);
}

bool ConnectionRegistry::Remove(const PeerId& id) {
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        return false;
    }
    Forget(it);
    return true;
}

std::vector<PeerId> ConnectionRegistry::Reap(TimePoint now) {
    std::vector<PeerId> reaped;
    for (auto it = entries_.begin(); it != entries_.end();) {
        auto next = std::next(it);
        if (!it->second.open && now - it->second.created >= limits_.open_timeout) {
            reaped.push_back(it->first);
            Forget(it);
        }
        it = next;
    }
    return reaped;
}

}  // namespace hatongsu::world
