#include "services/world/adapter/geckos/geckos_channels.h"

#include <algorithm>

#include "hatongsu/core/overloaded.h"

namespace hatongsu::world::geckos {

void GeckosChannels::SendText(const PeerId& peer, const std::string& text) {
    if (transport_.Send(peer, text, false).ok()) {
        ++stats_.sent;
    } else {
        ++stats_.refused;
    }
}

void GeckosChannels::Apply(const Effects& effects) {
    const auto now = clock_.Now();
    absl::MutexLock lock(&mu_);
    for (const Effect& effect : effects) {
        std::visit(
            core::Overloaded{
                [&](const Send& send) {
                    if (!send.reliable) {
                        const std::string text = EncodeServerMessage(send.message);
                        for (const PeerId& peer : send.to) {
                            SendText(peer, text);
                        }
                        return;
                    }
                    for (const PeerId& peer : send.to) {
                        std::string text = EncodeReliable(send.message, entropy_.NewId());
                        SendText(peer, text);
                        if (options_.runs <= 1) {
                            continue;
                        }
                        auto& queue = scheduled_[peer];
                        if (queue.size() >= options_.max_scheduled_per_peer) {
                            queue.pop_front();
                        }
                        queue.push_back(
                            Copy{std::move(text), options_.runs - 1, now + options_.interval});
                    }
                },
                [&](const ClosePeer& close) {
                    scheduled_.erase(close.peer);
                    transport_.Close(close.peer);
                },
            },
            effect);
    }
}

void GeckosChannels::Pump() {
    const auto now = clock_.Now();
    absl::MutexLock lock(&mu_);
    for (auto it = scheduled_.begin(); it != scheduled_.end();) {
        auto& queue = it->second;
        for (Copy& copy : queue) {
            if (copy.next <= now) {
                SendText(it->first, copy.text);
                --copy.remaining;
                copy.next = now + options_.interval;
            }
        }
        queue.erase(
            std::remove_if(
                queue.begin(), queue.end(), [](const Copy& c) { return c.remaining <= 0; }),
            queue.end());
        it = queue.empty() ? scheduled_.erase(it) : std::next(it);
    }
}

void GeckosChannels::Forget(const PeerId& peer) {
    absl::MutexLock lock(&mu_);
    scheduled_.erase(peer);
}

ChannelStats GeckosChannels::Stats() {
    absl::MutexLock lock(&mu_);
    return stats_;
}

std::size_t GeckosChannels::Scheduled() {
    absl::MutexLock lock(&mu_);
    std::size_t n = 0;
    for (const auto& [peer, queue] : scheduled_) {
        n += queue.size();
    }
    return n;
}

void GeckosEvents::OnOpen(std::string_view id) {
    PeerId peer(id);
    if (!signaling_.Opened(peer)) {
        transport_.Close(id);  // reaped or closed while it was opening
        return;
    }
    {
        absl::MutexLock lock(&mu_);
        seen_[peer];
    }
    game_.Open(peer);
}

bool GeckosEvents::SeenBefore(const PeerId& peer, const std::string& reliable_id) {
    const auto now = clock_.Now();
    absl::MutexLock lock(&mu_);
    auto it = seen_.find(peer);
    if (it == seen_.end()) {
        return false;  // not open: the game drops it anyway
    }
    auto& ids = it->second;
    while (!ids.empty() && now - ids.front().second >= options_.dedupe_window) {
        ids.pop_front();
    }
    for (const auto& [seen, when] : ids) {
        if (seen == reliable_id) {
            return true;
        }
    }
    if (ids.size() >= options_.dedupe_capacity) {
        ids.pop_front();
    }
    ids.emplace_back(reliable_id, now);
    return false;
}

void GeckosEvents::OnMessage(std::string_view id, std::string_view data, bool binary) {
    PeerId peer(id);
    auto event = ParseChannelMessage(data, binary, options_.codec);
    if (!event.ok()) {
        game_.Dropped(DropReason::kMalformed);
        return;
    }
    if (event->reliable_id && SeenBefore(peer, *event->reliable_id)) {
        game_.Dropped(DropReason::kDuplicate);
        return;
    }
    auto message = ToClientMessage(*event);
    if (!message.ok()) {
        game_.Dropped(
            message.status().code() == absl::StatusCode::kNotFound ? DropReason::kUnknownEvent
                                                                   : DropReason::kInvalid);
        return;
    }
    game_.Message(peer, *message);
}

void GeckosEvents::OnClosed(std::string_view id, std::string_view /*reason*/) {
    PeerId peer(id);
    {
        absl::MutexLock lock(&mu_);
        seen_.erase(peer);
    }
    signaling_.Closed(peer);
    channels_.Forget(peer);
    game_.Closed(peer);
}

}  // namespace hatongsu::world::geckos
