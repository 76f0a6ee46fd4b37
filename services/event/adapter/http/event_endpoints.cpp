#include "services/event/adapter/http/event_endpoints.h"

#include <cctype>
#include <ctime>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hatongsu/core/client_network.h"
#include "hatongsu/log/log.h"
#include "services/event/adapter/colyseus/codec.h"

namespace hatongsu::event::http {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using net::http::status;

// Every run of [A-Za-z0-9_-] in the request target (spec 2.1).
std::vector<std::string_view> Tokens(std::string_view target) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    auto word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    };
    while (i < target.size()) {
        while (i < target.size() && !word(target[i])) {
            ++i;
        }
        std::size_t start = i;
        while (i < target.size() && word(target[i])) {
            ++i;
        }
        if (i > start) {
            out.push_back(target.substr(start, i - start));
        }
    }
    return out;
}

std::string IsoMillis(TimePoint t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[96];
    std::snprintf(
        buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buffer;
}

json::object RoomListing(const RoomSettings& s, std::size_t clients) {
    json::object room;
    room["clients"] = clients;
    room["locked"] = false;
    room["private"] = false;
    room["maxClients"] = nullptr;
    room["unlisted"] = false;
    room["createdAt"] = IsoMillis(s.created_at);
    room["name"] = s.name;
    room["processId"] = s.process_id;
    room["roomId"] = s.room_id;
    return room;
}

// Matchmaking answers are always 200 with JSON (errors too), as the original's.
net::Response MatchmakeJson(const net::Context& ctx, const json::value& body) {
    net::Response res = net::Json(ctx, status::ok, body);
    res.set(net::http::field::content_type, "application/json");
    return res;
}

net::Response MatchmakeError(const net::Context& ctx, int code, std::string message) {
    return MatchmakeJson(ctx, json::object{{"code", code}, {"error", std::move(message)}});
}

std::string StringOption(const json::object& options, const char* name) {
    const json::value* v = options.if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

std::string BearerToken(const net::Context& ctx) {
    auto it = ctx.request.find(net::http::field::authorization);
    if (it == ctx.request.end()) {
        return "";
    }
    std::string_view v = it->value();
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
        return std::string(v.substr(7));
    }
    return "";
}

}  // namespace

SocketConnections::SocketConnections(
    asio::any_io_executor executor, std::chrono::milliseconds batch_interval)
    : batch_interval_(batch_interval), strand_(asio::make_strand(executor)), timer_(strand_) {}

void SocketConnections::Add(ConnectionId conn, std::shared_ptr<net::WebSocket> socket) {
    absl::MutexLock lock(&mu_);
    sockets_[conn] = std::move(socket);
}

void SocketConnections::Remove(ConnectionId conn) {
    absl::MutexLock lock(&mu_);
    sockets_.erase(conn);
}

std::size_t SocketConnections::Size() {
    absl::MutexLock lock(&mu_);
    return sockets_.size();
}

void SocketConnections::Apply(const Effects& effects) {
    auto send = [this](std::vector<ConnectionId> to, std::string bytes) {
        Queue(
            {.to = std::move(to), .frame = std::make_shared<const std::string>(std::move(bytes))});
    };
    for (const Effect& effect : effects) {
        if (const auto* join = std::get_if<SendJoinRoom>(&effect)) {
            send({join->to}, colyseus::EncodeJoinRoom(join->reconnection_token));
        } else if (const auto* state = std::get_if<SendFullState>(&effect)) {
            send({state->to}, colyseus::EncodeFullState(state->players));
        } else if (const auto* types = std::get_if<SendMessageTypes>(&effect)) {
            send({types->to}, colyseus::EncodeMessageTypes());
        } else if (const auto* chat = std::get_if<SendChat>(&effect)) {
            send(chat->to, colyseus::EncodeChat(chat->chat));
        } else if (const auto* patch = std::get_if<SendPatch>(&effect)) {
            send(patch->to, colyseus::EncodePatch(patch->ops));
        } else if (const auto* error = std::get_if<SendError>(&effect)) {
            send({error->to}, colyseus::EncodeError(error->code, error->message));
        } else if (const auto* close = std::get_if<CloseConnection>(&effect)) {
            Queue(
                {.to = {close->to},
                 .frame = nullptr,
                 .close_code = close->code,
                 .close_reason = close->reason});
        }
    }
}

void SocketConnections::Queue(Outgoing item) {
    std::optional<std::chrono::steady_clock::time_point> due;
    {
        absl::MutexLock lock(&out_mu_);
        outbox_.push_back(std::move(item));
        if (flush_scheduled_) {
            return;
        }
        flush_scheduled_ = true;
        due = last_flush_ + batch_interval_;
    }
    asio::post(strand_, [this, at = *due] {
        if (at <= std::chrono::steady_clock::now()) {
            Flush();
            return;
        }
        timer_.expires_at(at);
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                Flush();
            }
        });
    });
}

// On strand_. Consecutive frames for the same connections (a round's chats and patch: the room
// sends them to every joined client) reach each socket in one SendAll; a close comes after the
// frames queued before it.
void SocketConnections::Flush() {
    std::vector<Outgoing> items;
    {
        absl::MutexLock lock(&out_mu_);
        items.swap(outbox_);
        flush_scheduled_ = false;
        last_flush_ = std::chrono::steady_clock::now();
    }
    absl::ReaderMutexLock lock(&mu_);
    std::vector<std::shared_ptr<const std::string>> run;
    std::size_t i = 0;
    while (i < items.size()) {
        const Outgoing& first = items[i];
        if (first.frame == nullptr) {
            for (ConnectionId to : first.to) {
                if (auto found = sockets_.find(to); found != sockets_.end()) {
                    found->second->Close(first.close_code, first.close_reason);
                }
            }
            ++i;
            continue;
        }
        run.clear();
        std::size_t next = i;
        while (next < items.size() && items[next].frame != nullptr && items[next].to == first.to) {
            run.push_back(items[next].frame);
            ++next;
        }
        for (ConnectionId to : first.to) {
            if (auto found = sockets_.find(to); found != sockets_.end()) {
                found->second->SendAll(run);  // already gone: nothing to do
            }
        }
        i = next;
    }
}

std::vector<metrics::Reading> EventEndpoints::Readings() {
    using metrics::CounterReading;
    using metrics::GaugeReading;
    RoomStats stats = gallery_.Stats();
    auto dropped = [](const char* reason, uint64_t n) {
        return CounterReading(
            "hatongsu_event_chat_dropped_total", "Chat messages dropped, by reason.", n,
            {{"reason", reason}});
    };
    return {
        GaugeReading(
            "hatongsu_event_clients", "Players in the room plus seats reserved.",
            gallery_.Clients()),
        GaugeReading("hatongsu_event_sockets", "Open WebSocket connections.", sockets_.Size()),
        CounterReading(
            "hatongsu_event_chat_messages_total", "Chat messages accepted and broadcast.",
            stats.chats),
        dropped("rate_limited", stats.dropped_rate_limited),
        dropped("too_long", stats.dropped_too_long),
        dropped("invalid", stats.dropped_invalid),
        dropped("muted", stats.dropped_muted),
        dropped("no_player", stats.dropped_no_player),
        dropped("before_join", stats.dropped_before_join),
        CounterReading(
            "hatongsu_event_malformed_frames_total", "Client frames that could not be decoded.",
            stats.malformed_frames),
        CounterReading(
            "hatongsu_event_refused_banned_total", "Seats refused to a kicked user within the ban.",
            stats.refused_banned),
    };
}

void EventEndpoints::Register(net::Router& router) {
    using net::http::verb;
    const net::RouteOptions small_body{.body_limit = 16 * 1024};
    auto matchmake = [this](net::Context& ctx) {
        return Matchmake(ctx);
    };
    auto listing = [this](net::Context& ctx) {
        return Listing(ctx);
    };
    router.AddPrefix(verb::post, "/matchmake/", matchmake, small_body);
    router.Add(verb::get, "/matchmake", listing);
    router.AddPrefix(verb::get, "/matchmake/", listing);
    router.Add(verb::get, "/health", [this](net::Context& ctx) -> asio::awaitable<net::Response> {
        RoomStats stats = gallery_.Stats();
        co_return net::Json(
            ctx, status::ok,
            json::object{
                {"status", "ok"},
                {"clients", gallery_.Clients()},
                {"sockets", sockets_.Size()},
                {"chats", stats.chats},
                {"droppedRateLimited", stats.dropped_rate_limited},
                {"droppedTooLong", stats.dropped_too_long},
                {"droppedInvalid", stats.dropped_invalid},
                {"droppedMuted", stats.dropped_muted},
                {"droppedNoPlayer", stats.dropped_no_player},
                {"droppedBeforeJoin", stats.dropped_before_join},
                {"malformedFrames", stats.malformed_frames},
                {"refusedBanned", stats.refused_banned}});
    });
    auto moderate = [this](std::string action) {
        return [this, action](net::Context& ctx) -> asio::awaitable<net::Response> {
            std::string token = BearerToken(ctx);
            const std::string& session = ctx.params.at("sessionId");
            absl::Status s = action == "kick" ? gallery_.Kick(token, session)
                                              : gallery_.Mute(token, session, action == "mute");
            if (!s.ok()) {
                co_return net::ErrorFromStatus(ctx, s);
            }
            co_return net::Json(ctx, status::ok, json::object{{"ok", true}});
        };
    };
    router.Add(verb::post, "/admin/sessions/:sessionId/kick", moderate("kick"), small_body);
    router.Add(verb::post, "/admin/sessions/:sessionId/mute", moderate("mute"), small_body);
    router.Add(verb::post, "/admin/sessions/:sessionId/unmute", moderate("unmute"), small_body);
    router.AddWebSocket(
        "/:processId/:roomId",
        [this](net::Context& ctx, std::shared_ptr<net::WebSocket> ws) {
            return Socket(ctx, std::move(ws));
        },
        options_.websocket);
}

asio::awaitable<net::Response> EventEndpoints::Matchmake(net::Context& ctx) {
    if (stopped_.load()) {  // shutting down: 503 with an empty body, as the original
        net::Response res{status::service_unavailable, ctx.request.version()};
        res.content_length(0);
        co_return res;
    }
    const RoomSettings& settings = gallery_.Settings();
    std::vector<std::string_view> tokens = Tokens(ctx.request.target());
    std::string method;
    std::string name;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] == "matchmake") {
            method = i + 1 < tokens.size() ? std::string(tokens[i + 1]) : "";
            name = i + 2 < tokens.size() ? std::string(tokens[i + 2]) : "";
            break;
        }
    }
    boost::system::error_code ec;
    const std::string& text = ctx.request.body();
    json::value body = text.empty() ? json::value(json::object{}) : json::parse(text, ec);
    if (ec) {
        co_return MatchmakeJson(ctx, json::object{{"error", "Unexpected token in JSON"}});
    }
    json::object options = body.is_object() ? body.get_object() : json::object{};

    absl::StatusOr<Seat> seat;
    if (method == "join" || method == "joinOrCreate" || method == "create" ||
        method == "joinById") {
        if (method == "joinById" && name != settings.room_id) {
            co_return MatchmakeError(
                ctx, kMatchmakeInvalidRoomId, "room \"" + name + "\" not found");
        }
        if (method != "joinById" && name != settings.name) {
            co_return MatchmakeError(
                ctx, kMatchmakeNoHandler, "provided room name \"" + name + "\" not defined");
        }
        JoinOptions join{
            StringOption(options, "playerId"), StringOption(options, "nickname"), "",
            core::ClientNetwork(ctx.remote_ip)};
        std::string token = StringOption(options, "token");
        seat = gallery_.Join(std::move(join), token.empty() ? std::nullopt : std::optional(token));
        if (seat.status().code() == absl::StatusCode::kUnauthenticated ||
            seat.status().code() == absl::StatusCode::kPermissionDenied) {  // bad token, kicked
            co_return MatchmakeError(ctx, kAuthFailed, std::string(seat.status().message()));
        }
        if (seat.status().code() == absl::StatusCode::kResourceExhausted) {
            co_return MatchmakeError(
                ctx, kMatchmakeInvalidCriteria, "no rooms found with provided criteria");
        }
        if (seat.status().code() == absl::StatusCode::kUnavailable) {  // too many pending seats
            co_return MatchmakeError(
                ctx, kMatchmakeInvalidCriteria, std::string(seat.status().message()));
        }
    } else if (method == "reconnect") {
        if (name != settings.room_id) {
            co_return MatchmakeError(
                ctx, kMatchmakeInvalidRoomId, "room \"" + name + "\" has been disposed.");
        }
        seat = gallery_.Reconnect(StringOption(options, "reconnectionToken"));
        if (!seat.ok()) {
            co_return MatchmakeError(
                ctx, kMatchmakeExpired, "reconnection token invalid or expired.");
        }
    } else {
        co_return MatchmakeError(ctx, kMatchmakeNoHandler, "invalid method \"" + method + "\"");
    }
    if (!seat.ok()) {
        co_return MatchmakeError(ctx, kMatchmakeNoHandler, std::string(seat.status().message()));
    }
    co_return MatchmakeJson(
        ctx, json::object{
                 {"room", RoomListing(settings, seat->clients)}, {"sessionId", seat->session_id}});
}

asio::awaitable<net::Response> EventEndpoints::Listing(net::Context& ctx) {
    const RoomSettings& settings = gallery_.Settings();
    std::vector<std::string_view> tokens = Tokens(ctx.raw_path);
    std::string name;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i] == "matchmake") {
            name = std::string(tokens[i + 1]);
        }
    }
    json::array rooms;
    if (name.empty() || name == settings.name) {
        rooms.push_back(RoomListing(settings, gallery_.Clients()));
    }
    co_return MatchmakeJson(ctx, rooms);
}

asio::awaitable<void> EventEndpoints::Socket(
    net::Context& ctx, std::shared_ptr<net::WebSocket> ws) {
    const ConnectionId conn = next_conn_.fetch_add(1);
    std::string room_id = ctx.params.at("roomId");
    std::string session_id = ctx.query.Get("sessionId").value_or("");
    std::optional<std::string> token = ctx.query.Get("reconnectionToken");
    sockets_.Add(conn, ws);
    gallery_.Connect(
        conn, room_id, session_id, token ? std::optional<std::string_view>(*token) : std::nullopt);
    // Every frame costs a decode and the room's lock: a connection gets a frame budget, and one
    // that floods or keeps sending garbage is closed (then its frames are ignored until the
    // closing handshake ends the reads).
    core::SteadyTokenBucket budget(options_.frame_rate, std::chrono::steady_clock::now());
    int malformed = 0;
    bool closing = false;
    for (;;) {
        auto message = co_await ws->Read();
        if (!message.ok()) {
            break;
        }
        if (closing) {
            continue;
        }
        ClientFrame frame = colyseus::DecodeClientFrame(*message);
        bool garbage = std::holds_alternative<ClientMalformed>(frame) &&
                       ++malformed > options_.max_malformed_frames;
        if (garbage || !budget.Take(std::chrono::steady_clock::now())) {
            log::Warn(
                garbage ? "event: closing a connection that sends malformed frames"
                        : "event: closing a connection over its frame rate",
                {{"remote_ip", ctx.remote_ip}, {"session_id", session_id}});
            ws->Close(kClosePolicyViolation, garbage ? "malformed frames" : "too many frames");
            closing = true;
            continue;
        }
        gallery_.Frame(conn, frame);
    }
    sockets_.Remove(conn);
    gallery_.Disconnect(conn);
}

asio::awaitable<void> EventEndpoints::RunTicker() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!stopped_.load()) {
        timer.expires_after(options_.patch_interval);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!stopped_.load()) {
            gallery_.Tick();
        }
    }
}

void EventEndpoints::Stop() {
    stopped_.store(true);
}

}  // namespace hatongsu::event::http
