#include "services/world/usecase/signaling.h"

#include <cctype>

namespace hatongsu::world {

std::optional<std::string_view> TokenFromAuthorization(std::string_view header) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
        }
        return s;
    };
    header = trim(header);
    constexpr std::string_view kBearer = "bearer ";
    if (header.size() > kBearer.size()) {
        bool bearer = true;
        for (std::size_t i = 0; i < kBearer.size(); ++i) {
            bearer = bearer && std::tolower(static_cast<unsigned char>(header[i])) == kBearer[i];
        }
        if (bearer) {
            header = trim(header.substr(kBearer.size()));
        }
    }
    if (header.empty()) {
        return std::nullopt;
    }
    return header;
}

absl::StatusOr<NewConnection> Signaling::Connect(
    std::optional<std::string_view> authorization, const std::string& address) {
    NewConnection out;
    if (settings_.require_auth) {
        std::optional<std::string_view> token;
        if (authorization) {
            token = TokenFromAuthorization(*authorization);
        }
        if (!token) {
            return absl::UnauthenticatedError("an access token is required");
        }
        auto user = verifier_.Verify(*token);
        if (!user.ok()) {
            return absl::UnauthenticatedError("the access token was refused");
        }
        out.user_id = *user;
    }
    absl::MutexLock lock(&mu_);
    if (registry_.Size() - registry_.Pending() >= settings_.capacity) {
        return absl::ResourceExhaustedError("the world is full");
    }
    if (absl::Status admit = registry_.Admit(address); !admit.ok()) {
        return admit;
    }
    out.id = entropy_.NewId();
    if (registry_.Contains(out.id)) {
        return absl::InternalError("connection id collision");  // 62^24 ids: never in practice
    }
    auto offer = transport_.CreatePeer(out.id);
    if (!offer.ok()) {
        if (offer.status().code() == absl::StatusCode::kResourceExhausted) {
            return offer.status();
        }
        return absl::InternalError("the peer could not be created");
    }
    if (absl::Status added = registry_.Add(out.id, address, clock_.Now()); !added.ok()) {
        transport_.Close(out.id);
        return absl::InternalError("the peer could not be registered");
    }
    candidates_[out.id] =
        std::deque<std::string>(offer->candidates.begin(), offer->candidates.end());
    out.sdp = std::move(offer->sdp);
    return out;
}

absl::Status Signaling::Answer(const PeerId& id, std::string_view sdp) {
    absl::MutexLock lock(&mu_);
    if (!registry_.Contains(id)) {
        return absl::NotFoundError("unknown connection");
    }
    absl::Status s = transport_.SetRemoteAnswer(id, sdp);
    if (s.ok() || s.code() == absl::StatusCode::kInvalidArgument ||
        s.code() == absl::StatusCode::kFailedPrecondition) {
        return s;
    }
    if (s.code() == absl::StatusCode::kNotFound) {
        return absl::NotFoundError("unknown connection");
    }
    return absl::InternalError("the answer could not be applied");
}

absl::StatusOr<std::vector<std::string>> Signaling::TakeCandidates(const PeerId& id) {
    absl::MutexLock lock(&mu_);
    if (!registry_.Contains(id)) {
        return absl::NotFoundError("unknown connection");
    }
    std::vector<std::string> out;
    auto it = candidates_.find(id);
    if (it != candidates_.end()) {
        out.assign(it->second.begin(), it->second.end());
        it->second.clear();
    }
    return out;
}

bool Signaling::Close(const PeerId& id) {
    absl::MutexLock lock(&mu_);
    if (!registry_.Remove(id)) {
        return false;
    }
    candidates_.erase(id);
    transport_.Close(id);
    return true;
}

bool Signaling::Opened(const PeerId& id) {
    absl::MutexLock lock(&mu_);
    candidates_.erase(id);  // nobody polls for candidates once the channel is up
    return registry_.MarkOpen(id);
}

void Signaling::Closed(const PeerId& id) {
    absl::MutexLock lock(&mu_);
    registry_.Remove(id);
    candidates_.erase(id);
}

std::size_t Signaling::Reap() {
    absl::MutexLock lock(&mu_);
    std::vector<PeerId> reaped = registry_.Reap(clock_.Now());
    for (const PeerId& id : reaped) {
        candidates_.erase(id);
        transport_.Close(id);
    }
    return reaped.size();
}

std::size_t Signaling::Connections() {
    absl::MutexLock lock(&mu_);
    return registry_.Size();
}

std::size_t Signaling::Pending() {
    absl::MutexLock lock(&mu_);
    return registry_.Pending();
}

bool Signaling::Known(const PeerId& id) {
    absl::MutexLock lock(&mu_);
    return registry_.Contains(id);
}

}  // namespace hatongsu::world
