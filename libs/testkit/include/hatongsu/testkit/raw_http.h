// A raw HTTP/1.1 connection for tests that need to control the bytes on the wire: keep-alive,
// pipelining, malformed framing, and seeing whether the server closed the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <poll.h>

#include "hatongsu/testkit/http_client.h"

namespace hatongsu::testkit {

class RawHttp final {
public:
    explicit RawHttp(uint16_t port) : socket_(io_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    }

    // Writes all of `bytes`; false when the server already closed the connection.
    bool Send(std::string_view bytes) {
        boost::system::error_code ec;
        boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
        return !ec;
    }

    // Reads one response; status 0 when the connection closed (or failed) before one came.
    HttpResult Read() {
        namespace http = boost::beast::http;
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        boost::system::error_code ec;
        http::read(socket_, buffer_, parser, ec);
        return ec ? HttpResult{} : ToHttpResult(parser.get());
    }

    // True when the server closes the connection (end of stream or reset) within `wait`, with no
    // further bytes sent.
    bool ClosedByPeer(std::chrono::milliseconds wait) {
        pollfd p{socket_.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
            return false;
        }
        char c = 0;
        boost::system::error_code ec;
        std::size_t n = socket_.read_some(boost::asio::buffer(&c, 1), ec);
        return ec && n == 0;
    }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace hatongsu::testkit
