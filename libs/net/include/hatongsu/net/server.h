// The HTTP/1.1 server core on Boost.Beast: one coroutine per connection on its own strand,
// keep-alive, body size limit (413), CORS (spec/api.md 1.3), request ids, access log, optional TLS,
// and graceful stop. Owns its acceptor; the io_context and the Router must outlive it.
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

namespace hatongsu::net {

struct ServerOptions {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: any free port (tests); read it back with Port()
    std::size_t body_limit = 1024 * 1024;
    std::chrono::seconds idle_timeout{60};
    // Allowed origins; the first is sent when the request's Origin is not in the list (as the
    // original, which always sent its one FRONTEND_URL). Empty: no CORS headers at all.
    std::vector<std::string> cors_origins;
    // Paths whose requests are not written to the access log (health probes).
    std::vector<std::string> quiet_paths = {"/health", "/livez", "/readyz"};
    // Behind one trusted reverse proxy: take the client address from the last X-Forwarded-For
    // entry (the one the proxy appended) instead of the socket's peer.
    bool trust_forwarded_for = false;
    std::string cert_file;  // TLS when both are set
    std::string key_file;
};

class Server final {
public:
    Server(boost::asio::io_context& io, ServerOptions options, const Router& router);
    ~Server();

    void Start();  // binds and listens; throws on a port in use (a start-up error)
    uint16_t Port() const { return port_; }
    // Stops accepting and lets open connections finish their current request.
    void Stop();
    std::size_t OpenConnections() const { return open_connections_->load(); }

private:
    boost::asio::awaitable<void> AcceptLoop();

    boost::asio::io_context& io_;
    ServerOptions options_;
    const Router& router_;  // owned by main, outlives the server
    boost::asio::ip::tcp::acceptor acceptor_;
    std::optional<boost::asio::ssl::context> tls_;
    uint16_t port_ = 0;
    // Shared with the connection coroutines, which may outlive the server object.
    std::shared_ptr<std::atomic<std::size_t>> open_connections_;
};

}  // namespace hatongsu::net
