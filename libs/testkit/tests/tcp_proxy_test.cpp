#include "hatongsu/testkit/tcp_proxy.h"

#include <cerrno>
#include <string>

#include <gtest/gtest.h>
#include <sys/time.h>

namespace hatongsu::testkit {
namespace {

// A listening socket on a free loopback port (the upstream), and helpers to talk over sockets.
int Listen(uint16_t* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    *port = ntohs(addr.sin_port);
    return fd;
}

// A receive that waits this long fails instead of hanging the test.
int Guarded(int fd) {
    timeval limit{};
    limit.tv_sec = 30;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    return fd;
}

int Accept(int listener) {
    return Guarded(::accept(listener, nullptr, nullptr));
}

int Connect(uint16_t port) {
    int fd = Guarded(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

std::string Read(int fd, std::size_t n) {
    std::string out;
    char buffer[256];
    while (out.size() < n) {
        ssize_t got = ::recv(fd, buffer, std::min(sizeof buffer, n - out.size()), 0);
        if (got <= 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
}

bool Closed(int fd) {
    char byte = 0;
    ssize_t n = ::recv(fd, &byte, 1, 0);
    // EOF or a reset; data, or the guard's timeout, are not.
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST(TcpProxy, RelaysBothWaysAndDropsOnDemand) {
    uint16_t upstream_port = 0;
    int listener = Listen(&upstream_port);
    TcpProxy proxy(upstream_port);

    int client = Connect(proxy.Port());
    int server = Accept(listener);
    ASSERT_GE(server, 0);
    ASSERT_EQ(::send(client, "ping", 4, 0), 4);
    EXPECT_EQ(Read(server, 4), "ping");
    ASSERT_EQ(::send(server, "pong", 4, 0), 4);
    EXPECT_EQ(Read(client, 4), "pong");
    EXPECT_EQ(proxy.Accepted(), 1);

    proxy.DropAll();
    EXPECT_TRUE(Closed(client));
    EXPECT_TRUE(Closed(server));
    ::close(client);
    ::close(server);

    // Still accepting after a drop.
    int again = Connect(proxy.Port());
    int server2 = Accept(listener);
    ASSERT_EQ(::send(again, "x", 1, 0), 1);
    EXPECT_EQ(Read(server2, 1), "x");
    EXPECT_EQ(proxy.Accepted(), 2);
    ::close(again);
    EXPECT_TRUE(Closed(server2));  // a client's close reaches the server
    ::close(server2);
    ::close(listener);
}

TEST(TcpProxy, DropsAnArmedConnectionOnItsClientsNextData) {
    uint16_t upstream_port = 0;
    int listener = Listen(&upstream_port);
    TcpProxy proxy(upstream_port);
    int client = Connect(proxy.Port());
    int server = Accept(listener);
    ASSERT_EQ(::send(client, "a", 1, 0), 1);
    EXPECT_EQ(Read(server, 1), "a");

    proxy.DropOnNextClientData();
    ASSERT_EQ(::send(server, "b", 1, 0), 1);  // the server may still talk
    EXPECT_EQ(Read(client, 1), "b");
    ASSERT_EQ(::send(client, "c", 1, 0), 1);
    EXPECT_TRUE(Closed(server));  // "c" was never forwarded
    EXPECT_TRUE(Closed(client));
    ::close(client);
    ::close(server);
    ::close(listener);
}

TEST(TcpProxy, RefusesWhileToldTo) {
    uint16_t upstream_port = 0;
    int listener = Listen(&upstream_port);
    TcpProxy proxy(upstream_port);
    proxy.SetRefusing(true);
    int client = Connect(proxy.Port());
    EXPECT_TRUE(Closed(client));
    EXPECT_EQ(proxy.Accepted(), 0);
    ::close(client);
    ::close(listener);
}

}  // namespace
}  // namespace hatongsu::testkit
