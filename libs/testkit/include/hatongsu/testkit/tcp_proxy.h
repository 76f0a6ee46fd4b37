// A TCP forwarder on loopback for fault-injection tests: clients connect to Port(), and each
// connection is relayed to 127.0.0.1:upstream_port by a thread of its own. DropAll() cuts every
// relayed connection at once (both ends see the connection close, as when a broker restarts or a
// network fails); SetRefusing(true) makes new connections close right after accept (a server
// that is down), until SetRefusing(false); DropOnNextClientData() arms every open connection to
// close, unforwarded, when its client next sends something (a connection that breaks in the
// middle of a request, while the client still believes it healthy). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hatongsu::testkit {

class TcpProxy final {
public:
    explicit TcpProxy(uint16_t upstream_port) : upstream_port_(upstream_port) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr = Loopback(0);
        if (listen_fd_ < 0 ||
            ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listen_fd_, 64) != 0 || ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
            throw std::runtime_error("TcpProxy: cannot listen");
        }
        socklen_t len = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        acceptor_ = std::thread([this] { Accept(); });
    }

    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    ~TcpProxy() {
        char byte = 0;
        [[maybe_unused]] ssize_t n = ::write(stop_pipe_[1], &byte, 1);
        acceptor_.join();
        DropAll();
        ::close(listen_fd_);
        ::close(stop_pipe_[0]);
        ::close(stop_pipe_[1]);
    }

    uint16_t Port() const { return port_; }

    // Connections relayed so far (refused ones not counted).
    int Accepted() const { return accepted_.load(); }

    void SetRefusing(bool refusing) { refusing_ = refusing; }

    void DropOnNextClientData() {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& link : links_) {
            link->drop_on_client_data = true;
        }
    }

    // Closes every relayed connection, on both sides, and returns once they are closed.
    void DropAll() {
        std::vector<std::unique_ptr<Link>> links;
        {
            std::lock_guard<std::mutex> lock(mu_);
            links.swap(links_);
        }
        for (auto& link : links) {
            ::shutdown(link->client, SHUT_RDWR);
            ::shutdown(link->upstream, SHUT_RDWR);
        }
        for (auto& link : links) {
            link->relay.join();
            ::close(link->client);
            ::close(link->upstream);
        }
    }

private:
    struct Link {
        int client = -1;
        int upstream = -1;
        std::atomic<bool> drop_on_client_data{false};
        std::thread relay;
    };

    static sockaddr_in Loopback(uint16_t port) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return addr;
    }

    void Accept() {
        for (;;) {
            pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                continue;
            }
            if (fds[1].revents != 0) {
                return;
            }
            int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) {
                continue;
            }
            if (refusing_) {
                ::close(client);
                continue;
            }
            int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in addr = Loopback(upstream_port_);
            if (upstream < 0 ||
                ::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
                ::close(client);
                if (upstream >= 0) {
                    ::close(upstream);
                }
                continue;
            }
            auto link = std::make_unique<Link>();
            link->client = client;
            link->upstream = upstream;
            ++accepted_;
            // Listed before its relay starts, so that DropOnNextClientData and DropAll see every
            // connection a client could already use, and only ever join a started thread.
            std::lock_guard<std::mutex> lock(mu_);
            Link* l = link.get();
            links_.push_back(std::move(link));
            l->relay = std::thread([l] { Relay(*l); });
        }
    }

    // Copies both ways until either side closes, then shuts both down (the fds are closed by
    // DropAll, after this thread is joined, so a shutdown never hits a reused fd).
    static void Relay(Link& link) {
        const int a = link.client;
        const int b = link.upstream;
        char buffer[65536];
        for (bool open = true; open;) {
            pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                continue;
            }
            for (int i = 0; i < 2 && open; ++i) {
                if (fds[i].revents == 0) {
                    continue;
                }
                int from = i == 0 ? a : b;
                int to = i == 0 ? b : a;
                ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
                if (n <= 0 || (i == 0 && link.drop_on_client_data)) {
                    open = false;
                    break;
                }
                for (ssize_t sent = 0; sent < n;) {
                    ssize_t w =
                        ::send(to, buffer + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
                    if (w <= 0) {
                        open = false;
                        break;
                    }
                    sent += w;
                }
            }
        }
        ::shutdown(a, SHUT_RDWR);
        ::shutdown(b, SHUT_RDWR);
    }

    const uint16_t upstream_port_;
    uint16_t port_ = 0;
    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::atomic<bool> refusing_{false};
    std::atomic<int> accepted_{0};
    std::thread acceptor_;
    std::mutex mu_;
    std::vector<std::unique_ptr<Link>> links_;  // guarded by mu_
};

}  // namespace hatongsu::testkit
