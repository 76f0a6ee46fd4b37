#include "services/event/usecase/gallery.h"

namespace hatongsu::event {

absl::StatusOr<Seat> Gallery::Join(JoinOptions options, std::optional<std::string> token) {
    if (token && !token->empty()) {
        auto principal = verifier_.Verify(*token);
        if (!principal.ok()) {
            return absl::UnauthenticatedError("invalid access token");
        }
        options.user_id = principal->user_id;
        options.player_id = principal->user_id;  // a verified player cannot pose as another
    } else if (require_auth_) {
        return absl::UnauthenticatedError("an access token is required");
    }
    std::string session_id = ids_.NewId();
    std::string reconnection_token = ids_.NewId();
    absl::MutexLock lock(&mu_);
    return room_.ReserveSeat(
        std::move(options), std::move(session_id), std::move(reconnection_token), clock_.Now());
}

absl::StatusOr<Seat> Gallery::Reconnect(std::string_view token) {
    absl::MutexLock lock(&mu_);
    return room_.ReserveReconnection(token, clock_.Now());
}

void Gallery::Connect(
    ConnectionId conn,
    std::string_view room_id,
    std::string_view session_id,
    std::optional<std::string_view> reconnection_token) {
    absl::MutexLock lock(&mu_);
    connections_.Apply(room_.Connect(conn, room_id, session_id, reconnection_token, clock_.Now()));
}

void Gallery::Frame(ConnectionId conn, const ClientFrame& frame) {
    absl::MutexLock lock(&mu_);
    connections_.Apply(room_.OnFrame(conn, frame, clock_.Now()));
}

void Gallery::Disconnect(ConnectionId conn) {
    absl::MutexLock lock(&mu_);
    connections_.Apply(room_.OnDisconnect(conn, clock_.Now()));
}

void Gallery::Tick() {
    absl::MutexLock lock(&mu_);
    connections_.Apply(room_.Tick(clock_.Now()));
}

absl::Status Gallery::CheckAdmin(std::string_view token) {
    auto principal = verifier_.Verify(token);
    if (!principal.ok()) {
        return absl::UnauthenticatedError("invalid access token");
    }
    if (principal->role != "admin") {
        return absl::PermissionDeniedError("admin only");
    }
    return absl::OkStatus();
}

absl::Status Gallery::Kick(std::string_view admin_token, std::string_view session_id) {
    if (absl::Status s = CheckAdmin(admin_token); !s.ok()) {
        return s;
    }
    absl::MutexLock lock(&mu_);
    auto effects = room_.Kick(session_id, clock_.Now());
    if (!effects.ok()) {
        return effects.status();
    }
    connections_.Apply(*effects);
    return absl::OkStatus();
}

absl::Status Gallery::Mute(std::string_view admin_token, std::string_view session_id, bool muted) {
    if (absl::Status s = CheckAdmin(admin_token); !s.ok()) {
        return s;
    }
    absl::MutexLock lock(&mu_);
    return room_.Mute(session_id, muted);
}

void Gallery::CloseAll() {
    absl::MutexLock lock(&mu_);
    connections_.Apply(room_.CloseAll());
}

std::size_t Gallery::Clients() {
    absl::MutexLock lock(&mu_);
    return room_.Clients();
}

RoomStats Gallery::Stats() {
    absl::MutexLock lock(&mu_);
    return room_.Stats();
}

}  // namespace hatongsu::event
