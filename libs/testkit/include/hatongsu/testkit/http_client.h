// A blocking HTTP/1.1 client for tests: one request per call, on a fresh connection to 127.0.0.1.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace hatongsu::testkit {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-cased names
    std::string body;

    boost::json::value Json() const { return boost::json::parse(body); }
    std::string Header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

// A parsed response as a test reads it: status, lower-cased header names, body.
inline HttpResult ToHttpResult(
    const boost::beast::http::response<boost::beast::http::string_body>& response) {
    HttpResult out;
    out.status = response.result_int();
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (char& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        out.headers[name] = std::string(field.value());
    }
    out.body = response.body();
    return out;
}

inline HttpResult HttpCall(
    uint16_t port,
    boost::beast::http::verb method,
    const std::string& target,
    const std::map<std::string, std::string>& headers = {},
    const std::string& body = "") {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) {
        req.set(k, v);
    }
    req.body() = body;
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (method == http::verb::head) {
        parser.skip(true);
    }
    http::read(socket, buffer, parser);
    return ToHttpResult(parser.get());
}

}  // namespace hatongsu::testkit
