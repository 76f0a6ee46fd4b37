#include "hatongsu/net/server.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "hatongsu/core/random.h"
#include "hatongsu/log/log.h"

namespace hatongsu::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

// What every connection coroutine needs; shared so that it outlives the Server if need be.
struct Shared {
    ServerOptions options;
    const Router* router;  // owned by main, outlives every connection
    std::shared_ptr<std::atomic<std::size_t>> open;
};

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

int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = static_cast<char>(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string PercentDecodePath(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
            out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
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
    try {
        co_return co_await (*handler)(ctx);
    } catch (const std::exception& e) {
        log::Error("handler threw", {{"request_id", ctx.request_id}, {"error", e.what()}});
    }
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
    return last.empty() || last.size() > 64 ? peer : std::string(last);
}

// Answers one parsed request: never throws.
asio::awaitable<Response> Handle(const Shared& shared, const Request& req, std::string remote_ip) {
    auto start = std::chrono::steady_clock::now();
    std::string_view target = req.target();
    std::size_t q = target.find('?');
    Context ctx{
        .request = req,
        .request_id = RequestIdFor(req),
        .remote_ip = ClientAddress(shared.options, req, std::move(remote_ip)),
        .path = PercentDecodePath(target.substr(0, q)),
        .query = q == std::string_view::npos ? Query{} : Query::Parse(target.substr(q + 1)),
        .params = {},
    };
    Response res = co_await Dispatch(shared, ctx);
    AddCors(shared.options, req, res);
    res.set("X-Request-Id", ctx.request_id);
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    AccessLog(shared, ctx, res, ms);
    co_return res;
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
    res.keep_alive(false);
    return res;
}

template <typename Stream>
asio::awaitable<void> Serve(
    Stream& stream, std::shared_ptr<const Shared> shared, std::string remote_ip) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(shared->options.body_limit);
        parser.header_limit(16 * 1024);
        beast::get_lowest_layer(stream).expires_after(shared->options.idle_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUse);
        if (ec == http::error::body_limit) {
            Response res = Refusal(
                *shared, parser.get(), http::status::payload_too_large, "request entity too large");
            co_await http::async_write(stream, res, kUse);
            co_return;
        }
        if (ec == http::error::header_limit) {
            Response res = Refusal(
                *shared, parser.get(), http::status::request_header_fields_too_large,
                "request headers too large");
            co_await http::async_write(stream, res, kUse);
            co_return;
        }
        if (IsMalformedRequest(ec)) {
            Response res = Refusal(
                *shared, parser.get(), http::status::bad_request,
                "Malformed HTTP request: " + ec.message());
            co_await http::async_write(stream, res, kUse);
            co_return;
        }
        if (ec) {
            co_return;  // closed by the peer, timed out, or reset: nothing to answer
        }
        Response res = co_await Handle(*shared, parser.get(), remote_ip);
        bool keep_alive = res.keep_alive();
        auto [wec, wn] = co_await http::async_write(stream, res, kUse);
        if (wec || !keep_alive) {
            co_return;
        }
    }
}

asio::awaitable<void> PlainSession(tcp::socket socket, std::shared_ptr<const Shared> shared) {
    std::string ip;
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) {
        ip = ep.address().to_string();
    }
    beast::tcp_stream stream(std::move(socket));
    co_await Serve(stream, shared, ip);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> TlsSession(
    tcp::socket socket, std::shared_ptr<const Shared> shared, asio::ssl::context* tls) {
    std::string ip;
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) {
        ip = ep.address().to_string();
    }
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUse);
    if (hec) {
        co_return;
    }
    co_await Serve(stream, shared, ip);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    // stream_truncated from a peer that closed without close_notify is expected and harmless.
    co_await stream.async_shutdown(kUse);
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, const Router& router)
    : io_(io),
      options_(std::move(options)),
      router_(router),
      acceptor_(io),
      open_connections_(std::make_shared<std::atomic<std::size_t>>(0)) {
    if (!options_.cert_file.empty() && !options_.key_file.empty()) {
        tls_.emplace(asio::ssl::context::tls_server);
        tls_->set_options(
            asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
            asio::ssl::context::no_tlsv1_1);
        tls_->use_certificate_chain_file(options_.cert_file);
        tls_->use_private_key_file(options_.key_file, asio::ssl::context::pem);
    }
}

Server::~Server() = default;

void Server::Start() {
    tcp::endpoint endpoint(asio::ip::make_address(options_.address), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), [](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log::Error("accept loop ended", {{"error", ex.what()}});
            }
        }
    });
}

void Server::Stop() {
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ec;
        acceptor_.close(ec);
    });
}

asio::awaitable<void> Server::AcceptLoop() {
    auto shared = std::make_shared<const Shared>(Shared{options_, &router_, open_connections_});
    asio::ssl::context* tls = tls_ ? &*tls_ : nullptr;
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kUse);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
            co_return;
        }
        if (ec) {
            log::Warn("accept failed", {{"error", ec.message()}});
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto executor = socket.get_executor();
        auto open = open_connections_;
        open->fetch_add(1);
        auto done = [open](std::exception_ptr e) {
            open->fetch_sub(1);
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::Error("connection failed", {{"error", ex.what()}});
                }
            }
        };
        if (tls != nullptr) {
            asio::co_spawn(executor, TlsSession(std::move(socket), shared, tls), done);
        } else {
            asio::co_spawn(executor, PlainSession(std::move(socket), shared), done);
        }
    }
}

}  // namespace hatongsu::net
