#include "hatongsu/net/server.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "hatongsu/core/random.h"
#include "hatongsu/core/text.h"
#include "hatongsu/log/log.h"
#include "http_metrics.h"
#include "websocket_session.h"

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
        : options(std::move(o)),
          router(r),
          metrics(
              options.metrics != nullptr ? std::make_unique<HttpMetrics>(*options.metrics)
                                         : nullptr),
          slot_free(std::move(accept_executor)) {}

    const ServerOptions options;
    const Router* router;                        // owned by main, outlives every connection
    const std::unique_ptr<HttpMetrics> metrics;  // null: not counted
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

// `public_cors`: a public route (RouteOptions::public_cors), open to every origin, no credentials.
void AddCors(
    const ServerOptions& options, const Request& req, http::fields& res, bool public_cors = false) {
    if (public_cors) {
        res.set(http::field::access_control_allow_origin, "*");
        res.set(http::field::access_control_expose_headers, "X-Request-Id");
        return;
    }
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

Response Preflight(const ServerOptions& options, const Request& req, bool public_cors) {
    Response res{http::status::no_content, req.version()};
    AddCors(options, req, res.base(), public_cors);
    res.set(
        http::field::access_control_allow_methods,
        public_cors ? "GET,HEAD" : "GET,HEAD,PUT,PATCH,POST,DELETE");
    if (auto it = req.find(http::field::access_control_request_headers); it != req.end()) {
        res.set(http::field::access_control_allow_headers, it->value());
    }
    res.set(http::field::vary, "Origin, Access-Control-Request-Headers");
    res.content_length(0);
    return res;
}

// The answer's line in the access log, and its count and latency in the metrics.
void AccessLog(const Shared& shared, const Context& ctx, unsigned status, double ms) {
    if (shared.metrics) {
        shared.metrics->Observe(ctx.request.method(), ctx.route, status, ms / 1000.0);
    }
    const auto& quiet = shared.options.quiet_paths;
    if (std::find(quiet.begin(), quiet.end(), ctx.path) != quiet.end() && status < 400) {
        return;
    }
    if (!log::Enabled("info")) {
        return;
    }
    log::Info(
        "request", {{"method", std::string(ctx.request.method_string())},
                    {"path", ctx.path},
                    {"route", std::string(ctx.route)},
                    {"status", status},
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
    // The trusted proxy writes the end of the header: the last element of the last line (a client
    // may send lines of its own before it, and a proxy may append a line instead of extending one).
    auto [first, end] = req.equal_range("x-forwarded-for");
    if (first == end) {
        return peer;
    }
    std::string_view list = std::prev(end)->value();
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
std::optional<Refused> CheckHead(const http::request_header<>& req) {
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

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// How a connection goes on after one exchange.
enum class Next {
    kKeepAlive,  // read the next request
    kClose,      // close now (answered with Connection: close, or nobody left to answer)
    kLinger,     // close, after throwing away a bounded amount of what the peer still sends
};

std::string_view TrimSpaces(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    return v;
}

// RFC 9110 10.1.1: only an HTTP/1.1 client waits for `100 Continue`.
bool ExpectsContinue(const Request& req) {
    auto it = req.find(http::field::expect);
    return req.version() >= 11 && it != req.end() &&
           core::EqualsIgnoreCase(TrimSpaces(it->value()), "100-continue");
}

bool IsPreflight(const Request& req) {
    return req.method() == http::verb::options &&
           req.find(http::field::access_control_request_method) != req.end();
}

// Whether the route a preflight asks about (its path, Access-Control-Request-Method) is public.
bool PreflightsPublicRoute(const Shared& shared, const Request& req, Context& ctx) {
    auto wanted = http::string_to_verb(req[http::field::access_control_request_method]);
    if (wanted == http::verb::unknown) {
        return false;
    }
    const Router::Route* route = shared.router->Match(wanted, ctx.path, ctx);
    return route != nullptr && route->options.public_cors;
}

Context MakeContext(const Shared& shared, const Request& req, std::string remote_ip) {
    std::string_view target = req.target();
    std::size_t q = target.find('?');
    return Context{
        .request = req,
        .request_id = RequestIdFor(req),
        .remote_ip = ClientAddress(shared.options, req, std::move(remote_ip)),
        .path = core::PercentDecode(target.substr(0, q), false),
        .query = q == std::string_view::npos ? Query{} : Query::Parse(target.substr(q + 1)),
        .params = {},
        .raw_path = std::string(target.substr(0, q)),
    };
}

bool HasCleanTarget(const Context& ctx) {
    bool clean = IsCleanText(ctx.path);
    for (const auto& [k, v] : ctx.query.Items()) {
        clean = clean && IsCleanText(k) && IsCleanText(v);
    }
    return clean;
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// What every answer gets: CORS, the request id, keep-alive (off while draining, or when asked).
template <typename Body>
void Decorate(
    const Shared& shared, const Context& ctx, http::response<Body>& res, bool keep_alive) {
    AddCors(shared.options, ctx.request, res.base(), ctx.public_cors);
    res.set("X-Request-Id", ctx.request_id);
    // Every answer is what its Content-Type says: never sniffed into HTML or script.
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(ctx.request.keep_alive() && keep_alive && !shared.draining.load());
}

// Whatever a guard throws, of any type, is a 500 for this request only.
asio::awaitable<std::optional<Response>> RunGuard(const Guard& guard, Context& ctx) {
    std::string error;
    try {
        std::optional<Response> verdict = co_await guard(ctx);
        co_return verdict;
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "non-standard exception";
    }
    log::Error("guard threw", {{"request_id", ctx.request_id}, {"error", error}});
    co_return JsonError(ctx, http::status::internal_server_error, "Internal server error");
}

// Whatever a handler throws, of any type, is a 500 for this request only. (No co_await inside a
// larger expression: g++ 12 destroys temporaries there twice.)
asio::awaitable<Reply> CallHandler(const Router::Route& route, Context& ctx) {
    std::string error;
    try {
        if (const Handler* handler = std::get_if<Handler>(&route.handler)) {
            Response res = co_await (*handler)(ctx);
            co_return Reply{std::move(res)};
        }
        Reply reply = co_await std::get<ReplyHandler>(route.handler)(ctx);
        co_return reply;
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "non-standard exception";
    }
    log::Error("handler threw", {{"request_id", ctx.request_id}, {"error", error}});
    co_return JsonError(ctx, http::status::internal_server_error, "Internal server error");
}

// A request the server refuses on its head alone (too large, malformed): the connection closes.
template <typename Stream>
asio::awaitable<void> WriteRefusal(
    Stream& stream, const Shared& shared, const http::request_header<>& head, Refused refused) {
    Request partial(head);
    Context ctx{
        .request = partial,
        .request_id = RequestIdFor(partial),
        .remote_ip = {},
        .path = {},
        .query = {},
        .params = {}};
    Response res = JsonError(ctx, refused.status, refused.message);
    AddCors(shared.options, partial, res.base());
    res.set("X-Request-Id", ctx.request_id);
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(false);
    if (shared.metrics) {
        shared.metrics->Observe(partial.method(), HttpMetrics::kNoRoute, res.result_int(), 0);
    }
    beast::get_lowest_layer(stream).expires_after(shared.options.idle_timeout);
    co_await http::async_write(stream, res, kUse);
}

// Writes a string answer; true when the connection stays open for another request.
template <typename Stream>
asio::awaitable<bool> WriteResponse(
    Stream& stream,
    const Shared& shared,
    const Context& ctx,
    Response res,
    bool keep_alive,
    std::chrono::steady_clock::time_point start) {
    Decorate(shared, ctx, res, keep_alive);
    // HEAD: the length a GET would have; a 304 says none (it is the cached answer's).
    if (ctx.request.method() == http::verb::head && res.result() != http::status::not_modified) {
        auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    AccessLog(shared, ctx, res.result_int(), MillisecondsSince(start));
    beast::get_lowest_layer(stream).expires_after(shared.options.idle_timeout);
    auto [ec, n] = co_await http::async_write(stream, res, kUse);
    co_return !ec && res.keep_alive();
}

// Writes a file answer (conditional, ranged, HEAD: file_reply.h); true when the connection stays
// open for another request.
template <typename Stream>
asio::awaitable<bool> WriteFile(
    Stream& stream,
    const Shared& shared,
    const Context& ctx,
    FileReply& file,
    bool keep_alive,
    std::chrono::steady_clock::time_point start) {
    const Request& req = ctx.request;
    std::string etag = file.etag.empty() ? DefaultETag(file.size, file.modified) : file.etag;
    std::string last_modified = HttpDate(file.modified);
    FilePlan plan = PlanFileResponse(req, file.size, etag, last_modified);
    if (plan.status == http::status::range_not_satisfiable) {
        Response res = JsonError(ctx, plan.status, "Range Not Satisfiable");
        res.set(http::field::content_range, "bytes */" + std::to_string(file.size));
        bool alive = co_await WriteResponse(stream, shared, ctx, std::move(res), keep_alive, start);
        co_return alive;
    }
    http::response<http::empty_body> res{plan.status, req.version()};
    res.set(http::field::etag, etag);
    res.set(http::field::last_modified, last_modified);
    if (!file.cache_control.empty()) {
        res.set(http::field::cache_control, file.cache_control);
    }
    res.set(http::field::accept_ranges, "bytes");
    if (plan.status != http::status::not_modified) {
        res.set(http::field::content_type, file.content_type);
        res.content_length(plan.length);
    }
    if (plan.status == http::status::partial_content) {
        res.set(
            http::field::content_range, "bytes " + std::to_string(plan.offset) + "-" +
                                            std::to_string(plan.offset + plan.length - 1) + "/" +
                                            std::to_string(file.size));
    }
    Decorate(shared, ctx, res, keep_alive);
    AccessLog(shared, ctx, res.result_int(), MillisecondsSince(start));
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(shared.options.idle_timeout);
    http::response_serializer<http::empty_body> serializer(res);
    auto [hec, hn] = co_await http::async_write_header(stream, serializer, kUse);
    if (hec) {
        co_return false;
    }
    bool send_body = req.method() != http::verb::head && plan.status != http::status::not_modified;
    if (send_body && plan.length > 0) {
        boost::system::error_code ec;
        file.file.seek(plan.offset, ec);
        if (ec) {
            co_return false;
        }
        std::vector<char> piece(std::min<std::uint64_t>(plan.length, 64 * 1024));
        std::uint64_t left = plan.length;
        while (left > 0) {
            std::size_t want = std::min<std::uint64_t>(left, piece.size());
            std::size_t got = file.file.read(piece.data(), want, ec);
            if (ec || got == 0) {
                // The file shrank under us: cutting the answer short is all that is left.
                log::Warn("file read failed", {{"request_id", ctx.request_id}});
                co_return false;
            }
            lowest.expires_after(shared.options.idle_timeout);
            auto [wec, wn] =
                co_await asio::async_write(stream, asio::buffer(piece.data(), got), kUse);
            if (wec) {
                co_return false;
            }
            left -= got;
        }
    }
    co_return res.keep_alive();
}

// The body of a streamed route, read on demand into one piece-sized buffer.
template <typename Stream>
class StreamedBody final : public BodyReader {
public:
    StreamedBody(
        Stream& stream,
        beast::flat_buffer& buffer,
        http::request_parser<http::empty_body>&& head,
        std::uint64_t limit,
        bool send_continue,
        std::chrono::seconds idle_timeout)
        : stream_(stream),
          buffer_(buffer),
          parser_(std::move(head)),
          send_continue_(send_continue),
          idle_timeout_(idle_timeout) {
        if (auto length = parser_.content_length()) {
            content_length_ = *length;
        }
        parser_.body_limit(limit);  // chunked bodies; a Content-Length was checked before
    }

    asio::awaitable<absl::StatusOr<std::string_view>> ReadSome(std::size_t max_bytes) override {
        if (!status_.ok()) {
            co_return status_;
        }
        if (parser_.is_done()) {
            co_return std::string_view{};
        }
        max_bytes = std::clamp<std::size_t>(max_bytes, 1, kMaxPiece);
        if (piece_.size() < max_bytes) {
            piece_.resize(max_bytes);
        }
        auto& lowest = beast::get_lowest_layer(stream_);
        if (send_continue_) {
            send_continue_ = false;
            lowest.expires_after(idle_timeout_);
            auto [ec, n] = co_await asio::async_write(
                stream_, asio::buffer(kContinue.data(), kContinue.size()), kUse);
            if (ec) {
                co_return Fail(ec);
            }
        }
        for (;;) {
            parser_.get().body().data = piece_.data();
            parser_.get().body().size = max_bytes;
            lowest.expires_after(idle_timeout_);
            auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kUse);
            std::size_t got = max_bytes - parser_.get().body().size;
            if (ec == http::error::need_buffer) {
                ec = {};
            }
            if (ec) {
                co_return Fail(ec);
            }
            read_ += got;
            if (got > 0) {
                co_return std::string_view(piece_.data(), got);
            }
            if (parser_.is_done()) {
                co_return std::string_view{};
            }
        }
    }
    std::uint64_t BytesRead() const override { return read_; }
    std::optional<std::uint64_t> ContentLength() const override { return content_length_; }

    bool Done() const { return parser_.is_done(); }
    // The answer the server owes instead of the handler's (413, 400), if reading failed so.
    const std::optional<Refused>& Refusal() const { return refusal_; }
    // The peer is gone or stalled: nothing to answer.
    bool Lost() const { return lost_; }

private:
    absl::Status Fail(const boost::system::error_code& ec) {
        refusal_ = RefusalFor(ec);
        if (refusal_ && refusal_->status == http::status::payload_too_large) {
            status_ = absl::ResourceExhaustedError("request entity too large");
        } else if (refusal_) {
            status_ = absl::InvalidArgumentError(refusal_->message);
        } else if (ec == beast::error::timeout) {
            lost_ = true;
            status_ = absl::DeadlineExceededError("the client stopped sending the body");
        } else {
            lost_ = true;
            status_ = absl::UnavailableError("the connection closed during the body");
        }
        return status_;
    }

    Stream& stream_;
    beast::flat_buffer& buffer_;
    http::request_parser<http::buffer_body> parser_;
    bool send_continue_;
    std::chrono::seconds idle_timeout_;
    std::optional<std::uint64_t> content_length_;
    std::string piece_;
    std::uint64_t read_ = 0;
    absl::Status status_;
    std::optional<Refused> refusal_;
    bool lost_ = false;
};

template <typename Stream>
asio::awaitable<bool> SendContinue(Stream& stream, const ServerOptions& options) {
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    auto [ec, n] =
        co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()), kUse);
    co_return !ec;
}

// Counts a request in hatongsu_http_requests_in_flight while it lives (nothing without metrics).
class InFlight final {
public:
    explicit InFlight(HttpMetrics* metrics) : metrics_(metrics) {
        if (metrics_ != nullptr) {
            metrics_->in_flight.Increment();
        }
    }
    ~InFlight() {
        if (metrics_ != nullptr) {
            metrics_->in_flight.Decrement();
        }
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    HttpMetrics* metrics_;
};

// One request whose head has been read: route, guard, body (as the route wants it), handler,
// answer. Never throws.
template <typename Stream>
asio::awaitable<Next> Exchange(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request_parser<http::empty_body>& head,
    const Shared& shared,
    const std::string& remote_ip) {
    const ServerOptions& options = shared.options;
    const auto start = std::chrono::steady_clock::now();
    InFlight in_flight(shared.metrics.get());
    // The head moves out of the parser: reading the body needs only the parser's framing state.
    Request req(std::move(head.get().base()));
    Context ctx = MakeContext(shared, req, remote_ip);
    std::optional<Reply> reply;
    const Router::Route* route = nullptr;
    if (!HasCleanTarget(ctx)) {
        ctx.path = ctx.raw_path;  // as sent (still escaped): safe to log
        reply.emplace(JsonError(
            ctx, http::status::bad_request,
            "Malformed request target: invalid UTF-8 or control characters"));
    } else if (IsPreflight(req)) {
        ctx.public_cors = PreflightsPublicRoute(shared, req, ctx);
        ctx.route = HttpMetrics::kPreflight;  // whichever route it asked about
        reply.emplace(Preflight(options, req, ctx.public_cors));
    } else {
        route = shared.router->Match(req.method(), ctx.path, ctx);
        if (route == nullptr) {
            reply.emplace(NoRoute(ctx));
        } else {
            ctx.public_cors = route->options.public_cors;
        }
    }
    if (route != nullptr && route->options.guard) {
        std::optional<Response> verdict = co_await RunGuard(route->options.guard, ctx);
        if (verdict) {
            reply.emplace(std::move(*verdict));
        }
    }
    bool body_left = !head.is_done();
    std::optional<Refused> refused;
    bool gone = false;
    if (!reply) {
        const bool streamed = route->options.body == BodyMode::kStreamed;
        const std::uint64_t limit = route->options.body_limit.value_or(
            streamed ? std::numeric_limits<std::uint64_t>::max() : options.body_limit);
        const bool expects_continue = body_left && ExpectsContinue(req);
        auto announced = head.content_length();
        if (announced && *announced > limit) {
            refused = Refused{http::status::payload_too_large, "request entity too large"};
        } else if (!streamed) {
            if (body_left) {
                http::request_parser<http::string_body> parser(std::move(head));
                parser.body_limit(limit);
                if (expects_continue) {
                    bool sent = co_await SendContinue(stream, options);
                    if (!sent) {
                        co_return Next::kClose;
                    }
                }
                buffer.max_size(std::max(options.chunk_line_limit, buffer.size()));
                auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kUse);
                if (bec) {
                    refused = RefusalFor(bec);
                    gone = !refused;
                } else {
                    req.body() = std::move(parser.get().body());
                    body_left = false;
                }
            }
            if (!refused && !gone) {
                Reply answer = co_await CallHandler(*route, ctx);
                reply.emplace(std::move(answer));
            }
        } else {
            buffer.max_size(std::max(options.stream_buffer, buffer.size()));
            StreamedBody<Stream> body(
                stream, buffer, std::move(head), limit, expects_continue, options.idle_timeout);
            ctx.body = &body;
            Reply answer = co_await CallHandler(*route, ctx);
            ctx.body = nullptr;
            reply.emplace(std::move(answer));
            refused = body.Refusal();
            gone = body.Lost();
            body_left = !body.Done();
        }
    }
    if (gone) {
        co_return Next::kClose;
    }
    if (refused) {
        Response res = JsonError(ctx, refused->status, refused->message);
        co_await WriteResponse(stream, shared, ctx, std::move(res), false, start);
        co_return Next::kLinger;
    }
    bool alive = false;
    if (Response* res = std::get_if<Response>(&*reply)) {
        bool kept = co_await WriteResponse(stream, shared, ctx, std::move(*res), !body_left, start);
        alive = kept;
    } else {
        bool kept =
            co_await WriteFile(stream, shared, ctx, std::get<FileReply>(*reply), !body_left, start);
        alive = kept;
    }
    if (alive) {
        co_return Next::kKeepAlive;
    }
    co_return body_left ? Next::kLinger : Next::kClose;
}

template <typename Stream>
asio::awaitable<Next> Serve(
    Stream& stream, std::shared_ptr<Shared> shared, ConnectionSlot& slot, std::string remote_ip) {
    const ServerOptions& options = shared->options;
    auto& lowest = beast::get_lowest_layer(stream);
    // Bounds every unparsed byte the connection makes us hold: the head while reading it, then the
    // current chunk-size line or trailer while reading a body (a buffered body itself is the
    // parser's, under the route's limit; a streamed one is the handler's, a piece at a time).
    const std::size_t head_buffer = options.header_limit + 1024;
    beast::flat_buffer buffer(head_buffer);
    for (;;) {
        if (buffer.size() == 0) {
            // Between requests: the drain may close us here, and nothing is lost.
            if (shared->draining.load()) {
                co_return Next::kClose;
            }
            slot.idle = true;
            lowest.expires_after(options.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUse);
            slot.idle = false;
            if (ec) {
                co_return Next::kClose;
            }
            buffer.commit(n);
        }
        // The head alone first: the route decides how (and whether) the body is read.
        http::request_parser<http::empty_body> head;
        head.body_limit(boost::none);  // the route's limit applies, below
        head.header_limit(static_cast<std::uint32_t>(options.header_limit));
        buffer.max_size(head_buffer);
        lowest.expires_after(options.header_timeout);
        slot.reading_head = true;
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, head, kUse);
        slot.reading_head = false;
        lowest.expires_after(options.idle_timeout);
        std::optional<Refused> refused = hec ? RefusalFor(hec) : CheckHead(head.get());
        if (refused) {
            co_await WriteRefusal(stream, *shared, head.get().base(), *refused);
            co_return Next::kLinger;
        }
        if (hec) {
            co_return Next::kClose;  // closed by the peer, timed out, or reset: nothing to answer
        }
        if (boost::beast::websocket::is_upgrade(head.get())) {
            Request req(head.get().base());
            Context ctx = MakeContext(*shared, req, remote_ip);
            const Router::WebSocketRoute* route =
                HasCleanTarget(ctx) ? shared->router->MatchWebSocket(ctx.path, ctx) : nullptr;
            if (route != nullptr && !shared->draining.load()) {
                AccessLog(*shared, ctx, 101, 0);
                co_await detail::ServeWebSocket(stream, req, ctx, *route);
                co_return Next::kClose;
            }
        }
        Next next = co_await Exchange(stream, buffer, head, *shared, remote_ip);
        if (next != Next::kKeepAlive) {
            co_return next;
        }
        slot.kept_alive = true;
    }
}

// Reads and throws away what the peer still sends (bounded in bytes and time) after our side is
// shut down, so that it reads our answer before it sees the connection close.
asio::awaitable<void> Linger(
    beast::tcp_stream& stream, const ServerOptions& options, ConnectionSlot& slot) {
    slot.idle = true;  // the drain may cut this short
    stream.expires_after(options.linger_timeout);
    std::vector<char> sink(16 * 1024);
    std::size_t total = 0;
    while (total < options.linger_bytes) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUse);
        if (ec) {
            break;
        }
        total += n;
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
    Next next = co_await Serve(stream, shared, *slot, ip);
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (next == Next::kLinger && !ec) {
        co_await Linger(stream, shared->options, *slot);
    }
    slot->stream = nullptr;
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
        if (shared->metrics) {
            shared->metrics->connections.Increment();
        }
        auto done = [shared, id](std::exception_ptr e) {
            LogFailure("connection failed", e);
            {
                std::lock_guard lock(shared->mu);
                shared->connections.erase(id);
            }
            if (shared->metrics) {
                shared->metrics->connections.Decrement();
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
