// The HTTP/1.1 server core on Boost.Beast: one coroutine per connection on its own strand,
// keep-alive, bounded framing (body 413, header 431, chunk lines and trailers 400, transfer codings
// other than chunked 501), a connection cap, CORS, request ids, access log, optional TLS, and a
// graceful drain. The head is read and routed first; then the route's guard runs, and only then is
// the body read (buffered under the route's limit, or pulled by the handler: router.h), with
// `100 Continue` sent when the client asked and the body is wanted. An answer given without
// reading the whole body closes the connection. Handlers may answer with a file (file_reply.h).
// Owns its acceptor; the io_context and the Router must outlive it. Start, Shutdown and Abort may
// be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "hatongsu/net/router.h"

namespace hatongsu::metrics {
class Registry;
}

namespace hatongsu::net {

struct ServerOptions {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: any free port (tests); read it back with Port()
    std::size_t body_limit = 1024 * 1024;
    std::chrono::seconds idle_timeout{60};  // waiting for a request, or reading its body
    // From a request's first byte to the end of its head: a peer trickling a head (slowloris)
    // holds a connection slot this long at most.
    std::chrono::milliseconds header_timeout{10000};
    // Allowed origins; the first is sent when the request's Origin is not in the list (as the
    // original, which always sent its one FRONTEND_URL). Empty: no CORS headers at all. Routes
    // added with RouteOptions::public_cors answer every origin with `*` instead.
    std::vector<std::string> cors_origins;
    // Paths whose requests are not written to the access log (health probes).
    std::vector<std::string> quiet_paths = {"/health", "/livez", "/readyz"};
    // Behind one trusted reverse proxy: take the client address from the last X-Forwarded-For
    // entry (the one the proxy appended) instead of the socket's peer.
    bool trust_forwarded_for = false;
    std::string cert_file;  // TLS when both are set
    std::string key_file;
    // Connections served at once. At it, idle keep-alive connections are closed to make room,
    // and the server stops accepting until one closes: the rest wait in the kernel's listen
    // backlog (and past that are refused by the kernel).
    std::size_t max_connections = 10000;
    std::size_t header_limit = 16 * 1024;  // request line + headers (431 past it)
    // Unparsed bytes held while reading a body: one chunk-size line with its extensions, or the
    // trailer section (400 past it).
    std::size_t chunk_line_limit = 4 * 1024;
    // Unparsed bytes held while a streamed route reads its body (a chunk-size line there may be
    // this long).
    std::size_t stream_buffer = 64 * 1024;
    // After an answer given without reading the whole body, the connection closes; first, up to
    // this many bytes the peer still sends are read and thrown away, for at most linger_timeout,
    // so that the peer reads the answer rather than a reset.
    std::size_t linger_bytes = 256 * 1024;
    std::chrono::milliseconds linger_timeout{1000};
    // Where requests, latencies and open connections are counted (hatongsu_http_*: labels are
    // the method, the route's pattern and the status class); nullptr counts nothing. Must outlive
    // the server.
    metrics::Registry* metrics = nullptr;
};

class Server final {
public:
    Server(boost::asio::io_context& io, ServerOptions options, const Router& router);
    ~Server();

    void Start();  // binds and listens; throws on a port in use (a start-up error)
    uint16_t Port() const { return port_; }
    // The drain: stops accepting (the acceptor is closed on its own strand), closes idle keep-alive
    // connections at once, and answers the request each busy connection is on with
    // `Connection: close`. Idempotent. Wait for OpenConnections() == 0 to know it is done.
    void Shutdown();
    // After the drain deadline: cancels the I/O of every connection still open.
    void Abort();
    std::size_t OpenConnections() const;

    struct Shared;  // state shared with the connection coroutines, which may outlive the server

private:
    boost::asio::awaitable<void> AcceptLoop();

    boost::asio::io_context& io_;
    const Router& router_;                     // owned by main, outlives the server
    boost::asio::ip::tcp::acceptor acceptor_;  // on its own strand
    std::optional<boost::asio::ssl::context> tls_;
    uint16_t port_ = 0;
    std::shared_ptr<Shared> shared_;
};

}  // namespace hatongsu::net
