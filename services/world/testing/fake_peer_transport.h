// An in-memory PeerTransport for use-case and endpoint tests, keeping the port's contract: events
// are queued and delivered by Deliver() (never from inside a call), every created peer gets
// exactly one OnClosed, messages to a peer that is not open are refused. The test plays the
// client side: Open(), Receive(), ClientClose(), and reads what each peer was sent. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "services/world/port/peer_transport.h"

namespace hatongsu::world::testing_fakes {

class FakePeerTransport final : public PeerTransport {
public:
    void Start(PeerEvents& events) override {
        std::lock_guard lock(mu_);
        events_ = &events;
    }

    absl::StatusOr<PeerOffer> CreatePeer(std::string_view id) override {
        std::lock_guard lock(mu_);
        if (fail_create_) {
            return absl::InternalError("fake: cannot create");
        }
        if (peers_.contains(std::string(id))) {
            return absl::AlreadyExistsError("fake: id in use");
        }
        peers_[std::string(id)] = Peer{};
        ++created_;
        return PeerOffer{
            .sdp = "v=0\r\no=- 1 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fake:" + std::string(id) +
                   "\r\n",
            .candidates = {"candidate:1 1 udp 2130706431 203.0.113.10 50000 typ host"}};
    }

    absl::Status SetRemoteAnswer(std::string_view id, std::string_view sdp) override {
        std::lock_guard lock(mu_);
        auto it = peers_.find(std::string(id));
        if (it == peers_.end()) {
            return absl::NotFoundError("fake: unknown peer");
        }
        if (sdp.find("a=fingerprint:") == std::string_view::npos) {
            return absl::InvalidArgumentError("fake: answer without a fingerprint");
        }
        if (!it->second.answer.empty()) {
            return absl::FailedPreconditionError("fake: answer already set");
        }
        it->second.answer = std::string(sdp);
        return absl::OkStatus();
    }

    absl::Status Send(std::string_view id, std::string_view data, bool binary) override {
        std::lock_guard lock(mu_);
        auto it = peers_.find(std::string(id));
        if (it == peers_.end()) {
            return absl::NotFoundError("fake: unknown peer");
        }
        if (!it->second.open || it->second.closing) {
            return absl::FailedPreconditionError("fake: channel not open");
        }
        if (full_.contains(std::string(id))) {
            return absl::ResourceExhaustedError("fake: send buffer full");
        }
        (void)binary;
        it->second.sent.emplace_back(data);
        return absl::OkStatus();
    }

    void Close(std::string_view id) override {
        std::lock_guard lock(mu_);
        auto it = peers_.find(std::string(id));
        if (it == peers_.end() || it->second.closing) {
            return;
        }
        it->second.closing = true;
        ++closed_by_server_;
        queue_.push_back([this, peer = std::string(id)] { Finish(peer, "closed by the server"); });
    }

    std::size_t PeerCount() override {
        std::lock_guard lock(mu_);
        return peers_.size();
    }

    bool Backlogged() override {
        std::lock_guard lock(mu_);
        return backlogged_;
    }
    void SetBacklogged(bool backlogged) {
        std::lock_guard lock(mu_);
        backlogged_ = backlogged;
    }

    void Stop() override {
        std::lock_guard lock(mu_);
        queue_.clear();
        stopped_ = true;
    }
    bool Stopped() {
        std::lock_guard lock(mu_);
        return stopped_;
    }

    // --- the client's side ---
    // The data channel opened (queued; Deliver() reports it).
    void Open(const std::string& id) {
        std::lock_guard lock(mu_);
        queue_.push_back([this, id] {
            PeerEvents* events = nullptr;
            {
                std::lock_guard inner(mu_);
                auto it = peers_.find(id);
                if (it == peers_.end() || it->second.closing) {
                    return;
                }
                it->second.open = true;
                events = events_;
            }
            events->OnOpen(id);
        });
    }
    void Receive(const std::string& id, std::string data, bool binary = false) {
        std::lock_guard lock(mu_);
        queue_.push_back([this, id, data = std::move(data), binary] {
            PeerEvents* events = nullptr;
            {
                std::lock_guard inner(mu_);
                auto it = peers_.find(id);
                if (it == peers_.end() || !it->second.open || it->second.closing) {
                    return;
                }
                events = events_;
            }
            events->OnMessage(id, data, binary);
        });
    }
    // The client went away (tab closed, consent timeout).
    void ClientClose(const std::string& id) {
        std::lock_guard lock(mu_);
        auto it = peers_.find(id);
        if (it == peers_.end() || it->second.closing) {
            return;
        }
        it->second.closing = true;
        queue_.push_back([this, id] { Finish(id, "consent timeout"); });
    }
    // Delivers the queued events, in order, including those they cause.
    void Deliver() {
        for (;;) {
            std::function<void()> next;
            {
                std::lock_guard lock(mu_);
                if (queue_.empty()) {
                    return;
                }
                next = std::move(queue_.front());
                queue_.pop_front();
            }
            next();
        }
    }
    // From now on, Send to `id` fails as a full send buffer does.
    void SetFull(const std::string& id) {
        std::lock_guard lock(mu_);
        full_.insert(id);
    }
    void FailCreate(bool fail) {
        std::lock_guard lock(mu_);
        fail_create_ = fail;
    }

    // Everything sent to `id` so far (also after it closed); TakeSent clears it.
    std::vector<std::string> Sent(const std::string& id) {
        std::lock_guard lock(mu_);
        auto it = gone_.find(id);
        if (it != gone_.end()) {
            return it->second;
        }
        auto p = peers_.find(id);
        return p == peers_.end() ? std::vector<std::string>{} : p->second.sent;
    }
    std::vector<std::string> TakeSent(const std::string& id) {
        std::lock_guard lock(mu_);
        std::vector<std::string> out;
        if (auto p = peers_.find(id); p != peers_.end()) {
            out.swap(p->second.sent);
        } else if (auto g = gone_.find(id); g != gone_.end()) {
            out.swap(g->second);
        }
        return out;
    }
    std::string Answer(const std::string& id) {
        std::lock_guard lock(mu_);
        auto it = peers_.find(id);
        return it == peers_.end() ? "" : it->second.answer;
    }
    bool Exists(const std::string& id) {
        std::lock_guard lock(mu_);
        return peers_.contains(id);
    }
    std::size_t Created() {
        std::lock_guard lock(mu_);
        return created_;
    }
    std::size_t ClosedByServer() {
        std::lock_guard lock(mu_);
        return closed_by_server_;
    }

private:
    struct Peer {
        bool open = false;
        bool closing = false;
        std::string answer;
        std::vector<std::string> sent;
    };

    void Finish(const std::string& id, const char* reason) {
        PeerEvents* events = nullptr;
        {
            std::lock_guard lock(mu_);
            auto it = peers_.find(id);
            if (it == peers_.end()) {
                return;
            }
            gone_[id] = std::move(it->second.sent);
            peers_.erase(it);
            events = events_;
        }
        events->OnClosed(id, reason);
    }

    std::mutex mu_;
    PeerEvents* events_ = nullptr;
    std::map<std::string, Peer> peers_;
    std::map<std::string, std::vector<std::string>> gone_;
    std::deque<std::function<void()>> queue_;
    std::set<std::string> full_;
    bool backlogged_ = false;
    bool fail_create_ = false;
    bool stopped_ = false;
    std::size_t created_ = 0;
    std::size_t closed_by_server_ = 0;
};

}  // namespace hatongsu::world::testing_fakes
