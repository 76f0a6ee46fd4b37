#include "hatongsu/net/server.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/log/log.h"

namespace hatongsu::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

// One open connection as the drain sees it. Every field is read and written on the connection's
// strand only (the drain posts there), so no lock is needed.
struct ConnectionSlot {
    beast::tcp_stream* stream = nullptr;  // null once the connection's coroutine has ended
    bool idle = false;                    // waiting for the first byte of a next request
    bool reading_head = false;            // a request has begun; its head is not complete
    bool kept_alive = false;              // has answered a request and waits for another
};

struct Server::Shared {
    Shared(ServerOptions o, const Router* r, asio::any_io_executor accept_executor)
        : options(std::move(o)), router(r), slot_free(std::move(accept_executor)) {}

    const ServerOptions options;
    const Router* router;  // owned by main, outlives every connection
    std::atomic<bool> draining{false};
    std::atomic<std::size_t> open{0};
    // Woken (on the acceptor's strand) when a connection closes while the accept loop waits at
    // the cap, or when the drain starts.
    asio::steady_timer slot_free;

    std::mutex mu;
    uint64_t next_id = 0;
    std::unordered_map<uint64_t, std::pair<asio::any_io_executor, std::shared_ptr<ConnectionSlot>>>
        connections;  // guarded by mu

    // Runs fn(slot) on each open connection's strand.
    template <typename Fn>
    void ForEachConnection(Fn fn) {
        std::lock_guard lock(mu);
        for (auto& [id, entry] : connections) {
            asio::post(entry.first, [slot = entry.second, fn] { fn(*slot); });
        }
    }
};

namespace {

using tcp = asio::ip::tcp;
using Shared = Server::Shared;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string RequestIdFor(const Request& req) {
    auto it = req.find("x-request-id");
    if (it != req.end()) {
        std::string_view v = it->value();
        bool sane = !v.empty() && v.size() <= 128 &&
                    std::all_of(v.begin(), v.end(), [](char c) { return c > 32 && c < 127; });
        if (sane) {
            return std::string(v);
        }
    }
    return core::RandomToken(12);
}

void AddCors(const ServerOptions& options, const Request& req, Response& res) {
    if (options.cors_origins.empty()) {
        return;
    }
    std::string_view origin = options.cors_origins.front();
    if (auto it = req.find(http::field::origin); it != req.end()) {
        auto listed =
            std::find(options.cors_origins.begin(), options.cors_origins.end(), it->value());
        if (listed != options.cors_origins.end()) {
            origin = *listed;
        }
    }
    res.set(http::field::access_control_allow_origin, origin);
    res.set(http::field::access_control_allow_credentials, "true");
    res.set(http::field::access_control_expose_headers, "X-Request-Id");
    res.set(http::field::vary, "Origin");
}

Response Preflight(const ServerOptions& options, const Request& req) {
    Response res{http::status::no_content, req.version()};
    AddCors(options, req, res);
    res.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    if (auto it = req.find(http::field::access_control_request_headers); it != req.end()) {
        res.set(http::field::access_control_allow_headers, it->value());
    }
    res.set(http::field::vary, "Origin, Access-Control-Request-Headers");
    res.content_length(0);
    return res;
}

asio::awaitable<Response> Dispatch(const Shared& shared, Context& ctx) {
    const Request& req = ctx.request;
    if (req.method() == http::verb::options &&
        req.find(http::field::access_control_request_method) != req.end()) {
        co_return Preflight(shared.options, req);
    }
    const Handler* handler = shared.router->Match(req.method(), ctx.path, ctx);
    if (handler == nullptr) {
        std::string message =
            "Cannot " + std::string(req.method_string()) + " " + std::string(req.target());
        co_return JsonError(ctx, http::status::not_found, message);
    }
    // Whatever a handler throws, of any type, is a 500 for this request only.
    std::string error;
    try {
        co_return co_await (*handler)(ctx);
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "non-standard exception";
    }
    log::Error("handler threw", {{"request_id", ctx.request_id}, {"error", error}});
    co_return JsonError(ctx, http::status::internal_server_error, "Internal server error");
}

void AccessLog(const Shared& shared, const Context& ctx, const Response& res, double ms) {
    const auto& quiet = shared.options.quiet_paths;
    if (std::find(quiet.begin(), quiet.end(), ctx.path) != quiet.end() && res.result_int() < 400) {
        return;
    }
    if (!log::Enabled("info")) {
        return;
    }
    log::Info(
        "request", {{"method", std::string(ctx.request.method_string())},
                    {"path", ctx.path},
                    {"status", res.result_int()},
                    {"latency_ms", ms},
                    {"request_id", ctx.request_id},
                    {"remote_ip", ctx.remote_ip}});
}

// A request the parser refused for its content (not a closed or timed-out connection).
bool IsMalformedRequest(const boost::system::error_code& ec) {
    return ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// The address of the peer, or the one a trusted proxy says it forwarded for.
std::string ClientAddress(const ServerOptions& options, const Request& req, std::string peer) {
    if (!options.trust_forwarded_for) {
        return peer;
    }
    auto it = req.find("x-forwarded-for");
    if (it == req.end()) {
        return peer;
    }
    std::string_view list = it->value();
    std::string_view last =
        list.substr(list.rfind(',') == std::string_view::npos ? 0 : list.rfind(',') + 1);
    while (!last.empty() && last.front() == ' ') {
        last.remove_prefix(1);
    }
    while (!last.empty() && last.back() == ' ') {
        last.remove_suffix(1);
    }
    bool sane =
        !last.empty() && last.size() <= 64 && std::all_of(last.begin(), last.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
        });
    return sane ? std::string(last) : peer;
}

// Text a handler may pass on to protobuf strings, PostgreSQL or a log: valid UTF-8, no control
// bytes. Anything else is refused at the door.
bool IsCleanText(std::string_view text) {
    return core::IsValidUtf8(text) && !core::HasControlCharacters(text);
}

struct Refused {
    http::status status;
    std::string message;
};

// What the request line and headers say that we will not serve, checked before the body is read.
// RFC 9112 6.1: a transfer coding other than chunked alone cannot be framed, so the body would be
// read as the next request (smuggling): 501 and the connection closes. Credentials are visible
// ASCII (RFC 9110 token68), so no stray byte reaches a protobuf string.
std::optional<Refused> CheckHead(const Request& req) {
    if (req.count(http::field::transfer_encoding) > 0) {
        // Exactly one coding, `chunked` (any case), with optional whitespace around it only:
        // "chun ked", "chunked, identity" or two header lines are not framing we can trust.
        std::string_view value = req[http::field::transfer_encoding];
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
            value.remove_suffix(1);
        }
        if (req.count(http::field::transfer_encoding) != 1 ||
            !core::EqualsIgnoreCase(value, "chunked")) {
            return Refused{http::status::not_implemented, "Unsupported Transfer-Encoding"};
        }
        if (req.count(http::field::content_length) > 0) {
            return Refused{
                http::status::bad_request, "Transfer-Encoding and Content-Length together"};
        }
        if (req.version() < 11) {  // RFC 9112 6.1: chunked framing is HTTP/1.1 only
            return Refused{http::status::bad_request, "Transfer-Encoding in an HTTP/1.0 request"};
        }
    }
    for (auto it = req.find(http::field::authorization);
         it != req.end() && it->name() == http::field::authorization; ++it) {
        std::string_view v = it->value();
        if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7F; })) {
            // The identifier the credential routes use for unreadable credentials.
            return Refused{http::status::bad_request, "INVALID_CREDENTIALS"};
        }
    }
    return std::nullopt;
}

// What every answer gets on its way out: CORS, the request id, keep-alive (off while draining),
// HEAD's empty body, and the access log line.
Response Finish(
    const Shared& shared,
    const Context& ctx,
    Response res,
    std::chrono::steady_clock::time_point start) {
    const Request& req = ctx.request;
    AddCors(shared.options, req, res);
    res.set("X-Request-Id", ctx.request_id);
    res.keep_alive(req.keep_alive() && !shared.draining.load());
    if (req.method() == http::verb::head) {
        auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    AccessLog(shared, ctx, res, ms);
    return res;
}

// Answers one parsed request: never throws. (No co_await inside a larger expression: g++ 12
// destroys temporaries there twice.)
asio::awaitable<Response> Handle(const Shared& shared, const Request& req, std::string remote_ip) {
    auto start = std::chrono::steady_clock::now();
    std::string_view target = req.target();
    std::size_t q = target.find('?');
    Context ctx{
        .request = req,
        .request_id = RequestIdFor(req),
        .remote_ip = ClientAddress(shared.options, req, std::move(remote_ip)),
        .path = core::PercentDecode(target.substr(0, q), false),
        .query = q == std::string_view::npos ? Query{} : Query::Parse(target.substr(q + 1)),
        .params = {},
    };
    bool clean_target = IsCleanText(ctx.path);
    for (const auto& [k, v] : ctx.query.Items()) {
        clean_target = clean_target && IsCleanText(k) && IsCleanText(v);
    }
    if (!clean_target) {
        ctx.path = target.substr(0, q);  // as sent (still escaped): safe to log
        co_return Finish(
            shared, ctx,
            JsonError(
                ctx, http::status::bad_request,
                "Malformed request target: invalid UTF-8 or control characters"),
            start);
    }
    Response res = co_await Dispatch(shared, ctx);
    co_return Finish(shared, ctx, std::move(res), start);
}

// An answer to a request the parser refused (too large, malformed): then the connection closes.
Response Refusal(
    const Shared& shared, const Request& partial, http::status status, std::string_view message) {
    Context ctx{
        .request = partial,
        .request_id = RequestIdFor(partial),
        .remote_ip = {},
        .path = {},
        .query = {},
        .params = {}};
    Response res = JsonError(ctx, status, message);
    AddCors(shared.options, partial, res);
    res.set("X-Request-Id", ctx.request_id);
    res.keep_alive(false);
    return res;
}

// The refusal for a failed read, or nullopt when there is nobody to answer (closed, timed out).
std::optional<Refused> RefusalFor(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) {
        return Refused{http::status::payload_too_large, "request entity too large"};
    }
    if (ec == http::error::header_limit) {
        return Refused{http::status::request_header_fields_too_large, "request headers too large"};
    }
    if (ec == http::error::buffer_overflow) {
        return Refused{
            http::status::bad_request, "Malformed HTTP request: chunk line or trailer too long"};
    }
    if (IsMalformedRequest(ec)) {
        return Refused{http::status::bad_request, "Malformed HTTP request: " + ec.message()};
    }
    return std::nullopt;
}

template <typename Stream>
asio::awaitable<void> Serve(
    Stream& stream, std::shared_ptr<Shared> shared, ConnectionSlot& slot, std::string remote_ip) {
    const ServerOptions& options = shared->options;
    auto& lowest = beast::get_lowest_layer(stream);
    // Bounds every unparsed byte the connection makes us hold: the head while reading it, then the
    // current chunk-size line or trailer while reading a body (the body itself is the parser's,
    // under body_limit).
    const std::size_t head_buffer = options.header_limit + 1024;
    beast::flat_buffer buffer(head_buffer);
    for (;;) {
        if (buffer.size() == 0) {
            // Between requests: the drain may close us here, and nothing is lost.
            if (shared->draining.load()) {
                co_return;
            }
            slot.idle = true;
            lowest.expires_after(options.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUse);
            slot.idle = false;
            if (ec) {
                co_return;
            }
            buffer.commit(n);
        }
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        buffer.max_size(head_buffer);
        lowest.expires_after(options.header_timeout);
        slot.reading_head = true;
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kUse);
        slot.reading_head = false;
        lowest.expires_after(options.idle_timeout);
        std::optional<Refused> refused = hec ? RefusalFor(hec) : CheckHead(parser.get());
        if (!hec && !refused && !parser.is_done()) {
            buffer.max_size(std::max(options.chunk_line_limit, buffer.size()));
            auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kUse);
            if (bec) {
                refused = RefusalFor(bec);
                hec = bec;
            }
        }
        if (refused) {
            Response res = Refusal(*shared, parser.get(), refused->status, refused->message);
            co_await http::async_write(stream, res, kUse);
            co_return;
        }
        if (hec) {
            co_return;  // closed by the peer, timed out, or reset: nothing to answer
        }
        Response res = co_await Handle(*shared, parser.get(), remote_ip);
        bool keep_alive = res.keep_alive();
        auto [wec, wn] = co_await http::async_write(stream, res, kUse);
        if (wec || !keep_alive) {
            co_return;
        }
        slot.kept_alive = true;
    }
}

std::string PeerAddress(const tcp::socket& socket) {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
}

asio::awaitable<void> PlainSession(
    tcp::socket socket, std::shared_ptr<Shared> shared, std::shared_ptr<ConnectionSlot> slot) {
    std::string ip = PeerAddress(socket);
    beast::tcp_stream stream(std::move(socket));
    slot->stream = &stream;
    co_await Serve(stream, shared, *slot, ip);
    slot->stream = nullptr;
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> TlsSession(
    tcp::socket socket,
    std::shared_ptr<Shared> shared,
    std::shared_ptr<ConnectionSlot> slot,
    asio::ssl::context* tls) {
    std::string ip = PeerAddress(socket);
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
    slot->stream = &beast::get_lowest_layer(stream);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUse);
    if (!hec) {
        co_await Serve(stream, shared, *slot, ip);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        // stream_truncated from a peer that closed without close_notify is expected and harmless.
        co_await stream.async_shutdown(kUse);
    }
    slot->stream = nullptr;
}

void LogFailure(std::string_view what, std::exception_ptr e) {
    if (!e) {
        return;
    }
    std::string error = "non-standard exception";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        error = ex.what();
    } catch (...) {
    }
    log::Error(what, {{"error", error}});
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, const Router& router)
    : io_(io), router_(router), acceptor_(asio::make_strand(io)) {
    if (!options.cert_file.empty() && !options.key_file.empty()) {
        tls_.emplace(asio::ssl::context::tls_server);
        tls_->set_options(
            asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
            asio::ssl::context::no_tlsv1_1);
        tls_->use_certificate_chain_file(options.cert_file);
        tls_->use_private_key_file(options.key_file, asio::ssl::context::pem);
    }
    shared_ = std::make_shared<Shared>(std::move(options), &router_, acceptor_.get_executor());
}

Server::~Server() = default;

void Server::Start() {
    const ServerOptions& options = shared_->options;
    tcp::endpoint endpoint(asio::ip::make_address(options.address), options.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), [](std::exception_ptr e) {
        LogFailure("accept loop ended", e);
    });
}

std::size_t Server::OpenConnections() const {
    return shared_->open.load();
}

void Server::Shutdown() {
    if (shared_->draining.exchange(true)) {
        return;
    }
    asio::post(acceptor_.get_executor(), [this, shared = shared_] {
        boost::system::error_code ec;
        acceptor_.close(ec);
        shared->slot_free.cancel();
    });
    // Nothing has been accepted from an idle connection or one still sending its head: close
    // them now. The others finish the request they are on.
    shared_->ForEachConnection([](ConnectionSlot& slot) {
        if (slot.stream != nullptr && (slot.idle || slot.reading_head)) {
            slot.stream->cancel();
        }
    });
}

void Server::Abort() {
    Shutdown();
    shared_->ForEachConnection([](ConnectionSlot& slot) {
        if (slot.stream != nullptr) {
            slot.stream->cancel();
        }
    });
}

asio::awaitable<void> Server::AcceptLoop() {
    std::shared_ptr<Shared> shared = shared_;
    asio::ssl::context* tls = tls_ ? &*tls_ : nullptr;
    for (;;) {
        // At the cap, close idle keep-alive connections to make room, and wait (on this strand)
        // for a connection to close instead of piling up more.
        if (shared->open.load() >= shared->options.max_connections) {
            shared->ForEachConnection([](ConnectionSlot& slot) {
                // Not a new connection whose first request is still on its way.
                if (slot.stream != nullptr && slot.idle && slot.kept_alive) {
                    slot.stream->cancel();
                }
            });
        }
        while (shared->open.load() >= shared->options.max_connections && acceptor_.is_open()) {
            shared->slot_free.expires_after(std::chrono::milliseconds(100));
            co_await shared->slot_free.async_wait(kUse);
        }
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kUse);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
            co_return;
        }
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
            ec == asio::error::no_memory) {
            // Out of file descriptors: back off instead of spinning on the same error.
            log::Warn("accept failed, backing off", {{"error", ec.message()}});
            shared->slot_free.expires_after(std::chrono::milliseconds(100));
            co_await shared->slot_free.async_wait(kUse);
            continue;
        }
        if (ec) {
            continue;  // the peer gave up before we accepted (ECONNABORTED and the like)
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto executor = socket.get_executor();
        auto slot = std::make_shared<ConnectionSlot>();
        uint64_t id = 0;
        {
            std::lock_guard lock(shared->mu);
            id = shared->next_id++;
            shared->connections.emplace(id, std::make_pair(executor, slot));
        }
        shared->open.fetch_add(1);
        auto done = [shared, id](std::exception_ptr e) {
            LogFailure("connection failed", e);
            {
                std::lock_guard lock(shared->mu);
                shared->connections.erase(id);
            }
            if (shared->open.fetch_sub(1) >= shared->options.max_connections) {
                asio::post(
                    shared->slot_free.get_executor(), [shared] { shared->slot_free.cancel(); });
            }
        };
        if (tls != nullptr) {
            asio::co_spawn(executor, TlsSession(std::move(socket), shared, slot, tls), done);
        } else {
            asio::co_spawn(executor, PlainSession(std::move(socket), shared, slot), done);
        }
    }
}

}  // namespace hatongsu::net
