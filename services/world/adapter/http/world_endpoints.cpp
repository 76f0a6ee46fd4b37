#include "services/world/adapter/http/world_endpoints.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "hatongsu/core/client_network.h"
#include "hatongsu/net/json_body.h"

namespace hatongsu::world::http {
namespace asio = boost::asio;
namespace json = boost::json;
using net::http::status;
using net::http::verb;

namespace {

constexpr char kBase[] = "/.wrtc/v2/connections";

net::Response UnknownConnection(const net::Context& ctx) {
    return net::JsonError(ctx, status::not_found, "Unknown connection id");
}

// geckos answers the preflights and route E with this text.
net::Response PlainOk(const net::Context& ctx) {
    net::Response res{status::ok, ctx.request.version()};
    res.set(net::http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "200: OK";
    res.prepare_payload();
    return res;
}

std::string DropName(DropReason reason) {
    switch (reason) {
        case DropReason::kMalformed:
            return "malformed";
        case DropReason::kUnknownEvent:
            return "unknownEvent";
        case DropReason::kInvalid:
            return "invalid";
        case DropReason::kRateLimited:
            return "rateLimited";
        case DropReason::kDuplicate:
            return "duplicate";
        case DropReason::kNotJoined:
            return "notJoined";
    }
    return "other";
}

// The reason as a metrics label: snake_case, as every label value of ours.
std::string DropLabel(DropReason reason) {
    std::string out;
    for (char c : DropName(reason)) {
        if (std::isupper(static_cast<unsigned char>(c)) != 0) {
            out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

bool IsConnectionId(std::string_view id) {
    if (id.size() != 24) {
        return false;
    }
    for (char c : id) {
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum) {
            return false;
        }
    }
    return true;
}

std::vector<metrics::Reading> WorldEndpoints::Readings() {
    using metrics::CounterReading;
    using metrics::GaugeReading;
    WorldStats stats = game_.Stats();
    geckos::ChannelStats sent = channels_.Stats();
    std::vector<metrics::Reading> out = {
        GaugeReading("hatongsu_world_players", "Players in the world.", stats.players),
        GaugeReading("hatongsu_world_peers", "WebRTC peers connected.", transport_.PeerCount()),
        GaugeReading(
            "hatongsu_world_connections", "geckos.io connections (signalled or open).",
            signaling_.Connections()),
        GaugeReading(
            "hatongsu_world_pending_connections", "Connections whose channel is not open yet.",
            signaling_.Pending()),
        CounterReading("hatongsu_world_joined_total", "Players that joined.", stats.joined),
        CounterReading(
            "hatongsu_world_refused_full_total", "Joins refused: the world was full.",
            stats.refused_full),
        CounterReading(
            "hatongsu_world_updates_relayed_total",
            "Position updates sent to other players (one per recipient).", stats.updates_relayed),
        CounterReading(
            "hatongsu_world_updates_coalesced_total",
            "Position updates replaced by a newer one before the tick.", stats.updates_coalesced),
        CounterReading(
            "hatongsu_world_updates_deferred_total",
            "Positions a tick left for later because a recipient's relay budget was spent.",
            stats.updates_deferred),
        CounterReading(
            "hatongsu_world_messages_sent_total", "Messages handed to the transport.", sent.sent),
        CounterReading(
            "hatongsu_world_messages_refused_total",
            "Messages the transport refused (slow or gone peer).", sent.refused),
    };
    for (const auto& [reason, n] : stats.dropped) {
        out.push_back(CounterReading(
            "hatongsu_world_messages_dropped_total", "Client messages dropped, by reason.", n,
            {{"reason", DropLabel(reason)}}));
    }
    return out;
}

void WorldEndpoints::Register(net::Router& router) {
    std::string base = kBase;
    for (std::string path :
         {base, base + "/:id/remote-description", base + "/:id/additional-candidates",
          base + "/:id/close"}) {
        router.Add(verb::options, path, [](net::Context& ctx) -> asio::awaitable<net::Response> {
            co_return PlainOk(ctx);
        });
    }

    // Route B: a new connection and the server's offer.
    router.Add(
        verb::post, base,
        [this](net::Context& ctx) -> asio::awaitable<net::Response> {
            std::optional<std::string_view> authorization;
            if (auto it = ctx.request.find(net::http::field::authorization);
                it != ctx.request.end()) {
                authorization = it->value();
            }
            // Limits per client count an IPv6 client by its /64, as the event server does.
            auto created = signaling_.Connect(authorization, core::ClientNetwork(ctx.remote_ip));
            if (!created.ok()) {
                co_return net::ErrorFromStatus(ctx, created.status());
            }
            json::object user_data;  // must be truthy for the client: {} at least
            if (!created->user_id.empty()) {
                user_data["userId"] = created->user_id;
            }
            co_return net::Json(
                ctx, status::ok,
                json::object{
                    {"userData", std::move(user_data)},
                    {"id", created->id},
                    {"localDescription", json::object{{"type", "offer"}, {"sdp", created->sdp}}},
                });
        },
        {.body_limit = 1024});

    // Route C: the client's answer.
    router.Add(
        verb::post, base + "/:id/remote-description",
        [this](net::Context& ctx) -> asio::awaitable<net::Response> {
            const std::string& id = ctx.params["id"];
            if (!IsConnectionId(id) || !signaling_.Known(id)) {
                co_return UnknownConnection(ctx);
            }
            auto body = net::JsonObjectBody(ctx);
            if (!body.ok()) {
                co_return net::ErrorFromStatus(ctx, body.status());
            }
            const json::value* type = body->if_contains("type");
            const json::value* sdp = body->if_contains("sdp");
            if (type == nullptr || !type->is_string() || sdp == nullptr || !sdp->is_string()) {
                co_return net::JsonError(ctx, status::bad_request, "type and sdp are required");
            }
            if (type->get_string() != "answer") {
                co_return net::JsonError(ctx, status::bad_request, "type must be \"answer\"");
            }
            absl::Status s = signaling_.Answer(id, sdp->get_string());
            if (s.code() == absl::StatusCode::kNotFound) {
                co_return UnknownConnection(ctx);
            }
            if (!s.ok()) {
                co_return net::ErrorFromStatus(ctx, s);
            }
            co_return PlainOk(ctx);
        },
        {.body_limit = options_.answer_body_limit});

    // Route D: late candidates, drained on each call.
    router.Add(
        verb::get, base + "/:id/additional-candidates",
        [this](net::Context& ctx) -> asio::awaitable<net::Response> {
            const std::string& id = ctx.params["id"];
            if (!IsConnectionId(id)) {
                co_return UnknownConnection(ctx);
            }
            auto candidates = signaling_.TakeCandidates(id);
            if (!candidates.ok()) {
                co_return UnknownConnection(ctx);
            }
            json::array out;
            for (const std::string& c : *candidates) {
                out.push_back(json::object{{"candidate", c}, {"sdpMid", "0"}});
            }
            co_return net::Json(ctx, status::ok, out);
        });

    // Route E: fire-and-forget close; 200 whether or not the id is known (as geckos).
    router.Add(
        verb::post, base + "/:id/close",
        [this](net::Context& ctx) -> asio::awaitable<net::Response> {
            const std::string& id = ctx.params["id"];
            if (IsConnectionId(id)) {
                signaling_.Close(id);
            }
            co_return PlainOk(ctx);
        },
        {.body_limit = 1024});

    router.Add(verb::get, "/health", [this](net::Context& ctx) -> asio::awaitable<net::Response> {
        WorldStats stats = game_.Stats();
        geckos::ChannelStats sent = channels_.Stats();
        json::object dropped;
        for (const auto& [reason, n] : stats.dropped) {
            dropped[DropName(reason)] = n;
        }
        co_return net::Json(
            ctx, status::ok,
            json::object{
                {"status", "ok"},
                {"players", stats.players},
                {"peers", transport_.PeerCount()},
                {"connections", signaling_.Connections()},
                {"pending", signaling_.Pending()},
                {"joined", stats.joined},
                {"refusedFull", stats.refused_full},
                {"updatesRelayed", stats.updates_relayed},
                {"updatesCoalesced", stats.updates_coalesced},
                {"updatesDeferred", stats.updates_deferred},
                {"messagesSent", sent.sent},
                {"messagesRefused", sent.refused},
                {"dropped", std::move(dropped)},
            });
    });
}

void WorldEndpoints::TickOnce() {
    if (!transport_.Backlogged()) {  // else the positions wait, collapsing, for the next tick
        game_.Tick();
    }
    channels_.Pump();
    signaling_.Reap();
}

// At a fixed rate: a slow tick shortens the wait for the next one, so the relay budgets (two
// ticks' worth) refill as planned; more than a tick behind, it starts over from now instead of
// running the missed ticks back to back.
asio::awaitable<void> WorldEndpoints::RunTicker() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto next = std::chrono::steady_clock::now();
    while (!stopped_.load()) {
        next = std::max(next + options_.tick, std::chrono::steady_clock::now());
        timer.expires_at(next);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!stopped_.load()) {
            TickOnce();
        }
    }
}

}  // namespace hatongsu::world::http
