// The gallery room's use cases: joining (with the optional access-token check), reconnecting,
// the socket events, the patch tick, moderation and shutdown. Serialises every call on one lock
// and hands the room's effects to the Connections port while holding it, so each socket receives
// frames in the order the room produced them. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <absl/base/thread_annotations.h>
#include <absl/status/statusor.h>
#include <absl/synchronization/mutex.h>

#include "hatongsu/core/clock.h"
#include "services/event/domain/room.h"
#include "services/event/port/access_verifier.h"
#include "services/event/port/connections.h"
#include "services/event/port/id_generator.h"

namespace hatongsu::event {

class Gallery final {
public:
    // All references are owned by main and outlive this object.
    Gallery(
        RoomSettings settings,
        bool require_auth,
        Connections& connections,
        IdGenerator& ids,
        AccessVerifier& verifier,
        core::Clock& clock)
        : room_(std::move(settings)),
          require_auth_(require_auth),
          connections_(connections),
          ids_(ids),
          verifier_(verifier),
          clock_(clock) {}

    // Unauthenticated: a token is required (EVENT_REQUIRE_AUTH) and `token` is missing or
    // invalid; ResourceExhausted: the room is full; Unavailable: too many seats are waiting for
    // their connection (in all, or from options.client); PermissionDenied: the user was kicked
    // a short while ago. With a verified token, the player id is the token's subject.
    absl::StatusOr<Seat> Join(JoinOptions options, std::optional<std::string> token);
    // NotFound: no session lost within the grace window has this token.
    absl::StatusOr<Seat> Reconnect(std::string_view token);

    void Connect(
        ConnectionId conn,
        std::string_view room_id,
        std::string_view session_id,
        std::optional<std::string_view> reconnection_token);
    void Frame(ConnectionId conn, const ClientFrame& frame);
    void Disconnect(ConnectionId conn);
    void Tick();

    // Moderation by an admin's access token: Unauthenticated (bad token), PermissionDenied (not
    // an admin), NotFound (no such session).
    absl::Status Kick(std::string_view admin_token, std::string_view session_id);
    absl::Status Mute(std::string_view admin_token, std::string_view session_id, bool muted);

    void CloseAll();

    std::size_t Clients();
    RoomStats Stats();
    const RoomSettings& Settings() const { return settings_view_; }

private:
    absl::Status CheckAdmin(std::string_view token);

    absl::Mutex mu_;
    Room room_ ABSL_GUARDED_BY(mu_);
    const RoomSettings settings_view_ = room_.Settings();
    const bool require_auth_;
    Connections& connections_;
    IdGenerator& ids_;
    AccessVerifier& verifier_;
    core::Clock& clock_;
};

}  // namespace hatongsu::event
