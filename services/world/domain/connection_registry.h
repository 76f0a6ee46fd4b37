// The signaling side's connections (spec §1.6, §4.2): created by POST /connections, open once the
// data channel is up, gone when closed. Bounds what strangers can make the server hold: pending
// (not yet open) connections in total and per client address, and a deadline by which a pending
// connection must open or be reaped. Plain state, time from the caller; not thread-safe
// (usecase/signaling.h holds the lock).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <absl/status/status.h>

#include "services/world/domain/messages.h"

namespace hatongsu::world {

struct RegistryLimits {
    std::size_t max_pending = 200;
    std::size_t max_pending_per_address = 10;
    // Connections from one client address, pending and open together: one host cannot take
    // the whole world.
    std::size_t max_per_address = 32;
    std::chrono::milliseconds open_timeout{30000};
};

class ConnectionRegistry final {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    explicit ConnectionRegistry(RegistryLimits limits) : limits_(limits) {}

    // Unavailable when too many connections are pending, in all or from `address`;
    // ResourceExhausted when `address` has max_per_address connections already.
    absl::Status Admit(const std::string& address) const;
    // After Admit: the connection exists (pending). AlreadyExists for an id in use.
    absl::Status Add(const PeerId& id, const std::string& address, TimePoint now);
    // The data channel opened: no longer pending, never reaped. False for an unknown id.
    bool MarkOpen(const PeerId& id);
    bool Remove(const PeerId& id);  // false when unknown
    bool Contains(const PeerId& id) const { return entries_.contains(id); }
    bool IsOpen(const PeerId& id) const;
    // Pending connections older than the open timeout: removed, and returned for closing.
    std::vector<PeerId> Reap(TimePoint now);

    std::size_t Size() const { return entries_.size(); }
    std::size_t Pending() const { return pending_; }

private:
    struct Entry {
        std::string address;
        TimePoint created;
        bool open = false;
    };
    void Forget(std::map<PeerId, Entry>::iterator it);

    const RegistryLimits limits_;
    std::map<PeerId, Entry> entries_;
    std::map<std::string, std::size_t> pending_by_address_;
    std::map<std::string, std::size_t> by_address_;  // pending and open
    std::size_t pending_ = 0;
};

}  // namespace hatongsu::world
