#include "services/event/domain/room.h"

#include <algorithm>

#include "hatongsu/core/display_name.h"

namespace hatongsu::event {
namespace {

constexpr std::string_view kSeatExpired = "seat reservation expired.";
constexpr std::size_t kMaxCloseReason = 123;  // RFC 6455 5.5: control payload 125 bytes

// Who moderation acts on: the verified user, else the client's network.
std::string UserKey(const JoinOptions& options) {
    return options.user_id.empty() ? "net:" + options.client : "user:" + options.user_id;
}

int64_t EpochMillis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool ValidPlayerId(std::string_view id, std::size_t max_bytes) {
    return !id.empty() && id.size() <= max_bytes &&
           std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// `onMessage for "<type>" not registered.`, cut to fit a close frame at a character boundary.
std::string UnregisteredReason(std::string type) {
    if (!Utf8Length(type)) {
        type = "?";
    }
    constexpr std::size_t kFixed = sizeof("onMessage for \"\" not registered.") - 1;
    std::size_t room = kMaxCloseReason - kFixed;
    if (type.size() > room) {
        std::size_t cut = room;
        while (cut > 0 && (static_cast<unsigned char>(type[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        type.resize(cut);
    }
    return "onMessage for \"" + type + "\" not registered.";
}

}  // namespace

std::optional<std::size_t> Utf8Length(std::string_view text) {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (extra > 0 && i + extra >= text.size()) {
            return std::nullopt;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return std::nullopt;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates, past U+10FFFF.
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return std::nullopt;
        }
        i += extra + 1;
        ++count;
    }
    return count;
}

std::vector<Player> Room::Players() const {
    std::vector<Player> out;
    out.reserve(players_.size());
    for (const auto& [index, id] : players_) {
        out.push_back(sessions_.at(id).player);
    }
    return out;
}

absl::StatusOr<Seat> Room::ReserveSeat(
    JoinOptions options, std::string session_id, std::string reconnection_token, TimePoint now) {
    if (Clients() >= settings_.capacity) {
        return absl::ResourceExhaustedError("room is full");
    }
    if (reserved_ >= settings_.max_pending_seats) {
        return absl::UnavailableError(
            "too many seats are waiting for their connection; try again in a few seconds");
    }
    auto by_client = reserved_by_client_.find(options.client);
    if (by_client != reserved_by_client_.end() &&
        by_client->second >= settings_.max_pending_seats_per_client) {
        return absl::UnavailableError(
            "too many seats from this address are waiting for their connection; connect or wait");
    }
    if (auto all = sessions_by_client_.find(options.client);
        all != sessions_by_client_.end() && all->second >= settings_.max_sessions_per_client) {
        return absl::ResourceExhaustedError("too many connections from this address");
    }
    if (auto ban = banned_.find(UserKey(options)); ban != banned_.end()) {
        if (now < ban->second) {
            ++stats_.refused_banned;
            return absl::PermissionDeniedError("you were removed from this room; try again later");
        }
        banned_.erase(ban);
    }
    if (sessions_.contains(session_id)) {
        return absl::AlreadyExistsError("session id in use");  // a broken id generator only
    }
    Session s;
    s.id = session_id;
    s.token = std::move(reconnection_token);
    s.options = std::move(options);
    s.deadline = now + settings_.seat_reservation;
    ++reserved_by_client_[s.options.client];
    ++sessions_by_client_[s.options.client];
    sessions_.emplace(session_id, std::move(s));
    ++reserved_;
    return Seat{std::move(session_id), Clients()};
}

absl::StatusOr<Seat> Room::ReserveReconnection(std::string_view token, TimePoint now) {
    for (auto& [id, s] : sessions_) {
        if (s.state == State::kDisconnected && !token.empty() && s.token == token) {
            s.state = State::kReserved;
            s.deadline = now + settings_.seat_reservation;
            return Seat{id, Clients()};
        }
    }
    return absl::NotFoundError("reconnection token invalid or expired.");
}

Effects Room::Connect(
    ConnectionId conn,
    std::string_view room_id,
    std::string_view session_id,
    std::optional<std::string_view> reconnection_token,
    TimePoint now) {
    auto it = sessions_.find(std::string(session_id));
    bool valid = room_id == settings_.room_id && it != sessions_.end() &&
                 it->second.state == State::kReserved && now < it->second.deadline;
    if (valid && it->second.has_player) {  // a reconnection must show its token
        valid = reconnection_token && *reconnection_token == it->second.token;
    }
    if (!valid) {
        return {
            SendError{conn, 0, std::string(kSeatExpired)},
            CloseConnection{conn, kCloseWithError, ""}};
    }
    Session& s = it->second;
    if (!s.has_player) {
        Unreserve(s);
        if (!ValidPlayerId(s.options.player_id, settings_.max_player_id_bytes) ||
            !core::IsDisplayName(s.options.nickname, settings_.max_nickname_chars)) {
            Forget(s.id);
            return {CloseConnection{conn, kCloseNoStatus, ""}};  // as the original: no JOIN_ROOM
        }
        s.player.session_id = s.id;
        s.player.player_id = s.options.player_id;
        s.player.nickname = s.options.nickname;
        s.bucket = core::TokenBucket(settings_.chat_rate, now);
        AddPlayer(s);
    }
    s.state = State::kJoining;
    s.conn = conn;
    s.deadline = now + settings_.seat_reservation;  // to acknowledge JOIN_ROOM (Tick)
    joined_dirty_ = true;
    by_conn_[conn] = s.id;
    return {SendJoinRoom{conn, s.token}};
}

Effects Room::OnFrame(ConnectionId conn, const ClientFrame& frame, TimePoint now) {
    Effects out;
    Session* s = SessionOf(conn);
    if (std::holds_alternative<ClientAck>(frame)) {
        if (s != nullptr && s->state == State::kJoining) {
            s->state = State::kJoined;
            joined_dirty_ = true;
            out.push_back(SendFullState{conn, Players()});
            out.push_back(SendMessageTypes{conn});
            for (const HistoryEntry& h : history_) {
                if (h.seq > s->delivered_seq) {
                    out.push_back(SendChat{{conn}, h.chat});
                }
            }
            s->delivered_seq = chat_seq_;
        }
    } else if (std::holds_alternative<ClientLeave>(frame)) {
        if (s != nullptr) {
            std::string id = s->id;
            RemovePlayer(*s);
            by_conn_.erase(conn);
            Forget(id);
        }
        out.push_back(CloseConnection{conn, kCloseConsented, ""});
    } else if (const auto* chat = std::get_if<ClientChat>(&frame)) {
        if (s == nullptr || !s->has_player ||
            (s->state != State::kJoined && s->state != State::kJoining)) {
            ++stats_.dropped_no_player;  // the original crashed here (spec 7.2)
        } else if (s->state == State::kJoining) {
            // Not acknowledged: it has been sent nothing yet (not even the state), so it could
            // chat without ever paying for the downloads.
            ++stats_.dropped_before_join;
        } else {
            Chat(*s, *chat, now, out);
        }
    } else if (const auto* unknown = std::get_if<ClientUnknownType>(&frame)) {
        if (s != nullptr) {
            std::string id = s->id;
            RemovePlayer(*s);
            by_conn_.erase(conn);
            Forget(id);
        }
        out.push_back(CloseConnection{conn, kCloseWithError, UnregisteredReason(unknown->type)});
    } else {
        ++stats_.malformed_frames;
    }
    return out;
}

void Room::Chat(Session& s, const ClientChat& chat, TimePoint now, Effects& out) {
    if (!s.bucket.Take(now)) {
        ++stats_.dropped_rate_limited;
        return;
    }
    if (!chat.text) {
        ++stats_.dropped_invalid;
        return;
    }
    std::optional<std::size_t> chars = Utf8Length(*chat.text);
    bool blank = chat.text->find_first_not_of(" \t\r\n") == std::string::npos;
    if (!chars || blank) {
        ++stats_.dropped_invalid;
        return;
    }
    if (*chars > settings_.max_message_chars) {
        ++stats_.dropped_too_long;
        return;
    }
    if (muted_.contains(UserKey(s.options))) {
        ++stats_.dropped_muted;
        return;
    }
    ++stats_.chats;
    ChatMessage message{s.id, s.player.player_id, s.player.nickname, *chat.text, EpochMillis(now)};
    ++chat_seq_;
    if (settings_.history > 0) {
        history_.push_back({chat_seq_, message});
        while (history_.size() > settings_.history) {
            history_.pop_front();
        }
    }
    // Every joined session is sent it; a session's delivered_seq is brought up to date when it
    // stops being one (OnDisconnect).
    out.push_back(SendChat{JoinedConnections(), std::move(message)});
}

Effects Room::OnDisconnect(ConnectionId conn, TimePoint now) {
    auto it = by_conn_.find(conn);
    if (it == by_conn_.end()) {
        return {};
    }
    std::string id = it->second;
    by_conn_.erase(it);
    Session& s = sessions_.at(id);
    if (s.state == State::kJoined) {
        s.delivered_seq = chat_seq_;  // every chat until now went to it (Chat)
    }
    s.conn.reset();
    joined_dirty_ = true;
    if (s.state == State::kJoined && settings_.reconnect_grace.count() > 0) {
        s.state = State::kDisconnected;
        s.deadline = now + settings_.reconnect_grace;
        return {};
    }
    RemovePlayer(s);
    Forget(id);
    return {};
}

Effects Room::Tick(TimePoint now) {
    std::erase_if(banned_, [now](const auto& ban) { return now >= ban.second; });
    std::vector<std::string> expired;
    for (auto& [id, s] : sessions_) {
        // A socket that never acknowledges its JOIN_ROOM would otherwise hold a player (and a
        // place in the room) for as long as it answers pings.
        bool waiting = s.state == State::kReserved || s.state == State::kDisconnected ||
                       s.state == State::kJoining;
        if (waiting && now >= s.deadline) {
            expired.push_back(id);
        }
    }
    Effects out;
    for (const std::string& id : expired) {
        Session& s = sessions_.at(id);
        if (s.state == State::kReserved && !s.has_player) {
            Unreserve(s);
        }
        if (s.state == State::kJoining && s.conn) {
            out.push_back(CloseConnection{*s.conn, kCloseWithError, "join not acknowledged"});
            by_conn_.erase(*s.conn);
        }
        RemovePlayer(s);
        Forget(id);
    }
    if (!pending_.empty()) {
        out.push_back(SendPatch{JoinedConnections(), std::move(pending_)});
        pending_.clear();
    }
    return out;
}

absl::StatusOr<Effects> Room::Kick(std::string_view session_id, TimePoint now) {
    auto it = sessions_.find(std::string(session_id));
    if (it == sessions_.end() || !it->second.has_player) {
        return absl::NotFoundError("no such session");
    }
    Effects out;
    Session& s = it->second;
    if (settings_.kick_ban.count() > 0) {
        banned_[UserKey(s.options)] = now + settings_.kick_ban;
    }
    if (s.conn) {
        out.push_back(CloseConnection{*s.conn, kCloseConsented, ""});
        by_conn_.erase(*s.conn);
    }
    RemovePlayer(s);
    Forget(it->first);
    return out;
}

absl::Status Room::Mute(std::string_view session_id, bool muted) {
    auto it = sessions_.find(std::string(session_id));
    if (it == sessions_.end() || !it->second.has_player) {
        return absl::NotFoundError("no such session");
    }
    std::string key = UserKey(it->second.options);
    if (muted) {
        muted_.insert(std::move(key));
    } else {
        muted_.erase(key);
    }
    return absl::OkStatus();
}

Effects Room::CloseAll() {
    Effects out;
    for (auto& [conn, id] : by_conn_) {
        out.push_back(CloseConnection{conn, kCloseConsented, ""});
    }
    by_conn_.clear();
    sessions_.clear();
    joined_dirty_ = true;
    players_.clear();
    pending_.clear();
    reserved_ = 0;
    reserved_by_client_.clear();
    sessions_by_client_.clear();
    return out;
}

Room::Session* Room::SessionOf(ConnectionId conn) {
    auto it = by_conn_.find(conn);
    if (it == by_conn_.end()) {
        return nullptr;
    }
    return &sessions_.at(it->second);
}

void Room::AddPlayer(Session& s) {
    s.player.index = next_index_++;
    s.player.ref_id = next_ref_id_++;
    s.has_player = true;
    players_[s.player.index] = s.id;
    pending_.push_back(MapOp{MapOpKind::kAdd, s.player.index, s.player});
}

void Room::RemovePlayer(Session& s) {
    if (!s.has_player) {
        return;
    }
    s.has_player = false;
    players_.erase(s.player.index);
    // Added and removed within one tick: only the DELETE remains (the index is burnt).
    for (MapOp& op : pending_) {
        if (op.index == s.player.index) {
            op = MapOp{MapOpKind::kDelete, s.player.index, {}};
            return;
        }
    }
    pending_.push_back(MapOp{MapOpKind::kDelete, s.player.index, {}});
}

void Room::Unreserve(const Session& s) {
    --reserved_;
    auto it = reserved_by_client_.find(s.options.client);
    if (it != reserved_by_client_.end() && --it->second == 0) {
        reserved_by_client_.erase(it);
    }
}

void Room::Forget(std::string session_id) {
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) {
        return;
    }
    auto by_client = sessions_by_client_.find(it->second.options.client);
    if (by_client != sessions_by_client_.end() && --by_client->second == 0) {
        sessions_by_client_.erase(by_client);
    }
    sessions_.erase(it);
    joined_dirty_ = true;
}

// Rebuilt only after a session joined, left or lost its connection: a chat's recipients are a
// copy of it, not a walk over every session.
const std::vector<ConnectionId>& Room::JoinedConnections() {
    if (joined_dirty_) {
        joined_.clear();
        for (const auto& [id, s] : sessions_) {
            if (s.state == State::kJoined && s.conn) {
                joined_.push_back(*s.conn);
            }
        }
        joined_dirty_ = false;
    }
    return joined_;
}

}  // namespace hatongsu::event
