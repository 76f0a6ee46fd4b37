// HTTP vocabulary shared by the server core and the services' route adapters: request/response
// types, the per-request Context (with the streamed body reader), replies (a string body or a
// file), route guards, the JSON error body and the one absl::StatusCode -> HTTP status table.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hatongsu/net/file_reply.h"

namespace hatongsu::net {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Query parameters in arrival order; a name may repeat (`a=1&a=2`), the array forms `a[]=1` and
// `a[0]=1` are kept under their raw names and found by Values("a").
class Query final {
public:
    static Query Parse(std::string_view target);  // the part after '?', percent- and '+'-decoded
    // nullopt when absent; when the name repeats, Get() returns nullopt and Count() says so.
    std::optional<std::string> Get(std::string_view name) const;
    std::size_t Count(std::string_view name) const;
    std::vector<std::string> Values(std::string_view name) const;  // name, name[], name[N]
    const std::vector<std::pair<std::string, std::string>>& Items() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// The body of a request on a streamed route (RouteOptions::body == BodyMode::kStreamed), pulled
// by the handler piece by piece; nothing else of it is held. Chunked and Content-Length bodies
// alike. Used from the handler's coroutine only.
//
//   for (;;) {
//       auto piece = co_await ctx.body->ReadSome(64 * 1024);
//       if (!piece.ok()) co_return net::ErrorFromStatus(ctx, piece.status());  // see below
//       if (piece->empty()) break;                                           // end of body
//       ... *piece ...
//   }
class BodyReader {
public:
    static constexpr std::size_t kMaxPiece = 1024 * 1024;

    virtual ~BodyReader() = default;
    // The next bytes of the body, 1 to max_bytes of them (max_bytes is clamped to 1..kMaxPiece),
    // or an empty view at the end of the body. The view stays valid until the next call. The
    // first call sends `100 Continue` when the client asked for it.
    // Errors: ResourceExhausted "request entity too large" (past the route's limit),
    // InvalidArgument (malformed chunked framing), Unavailable (the peer closed or reset),
    // DeadlineExceeded (the peer sent nothing for the idle timeout). After any error the server
    // answers by itself (413, 400) or not at all, whatever the handler returns, and closes the
    // connection; the handler only cleans up.
    virtual boost::asio::awaitable<absl::StatusOr<std::string_view>> ReadSome(
        std::size_t max_bytes) = 0;
    virtual std::uint64_t BytesRead() const = 0;
    // What the client announced in Content-Length; nullopt for a chunked body.
    virtual std::optional<std::uint64_t> ContentLength() const = 0;
};

// Everything a handler knows about one request. Lives in the connection's coroutine frame for the
// duration of the call; handlers may keep references into it until they co_return.
struct Context {
    const Request& request;  // on a streamed route: the head only, body() stays empty
    std::string request_id;
    std::string remote_ip;
    std::string path;  // decoded path without the query
    Query query;
    // From ":name" segments of the route; on a prefix route, "*" holds the rest of the path as
    // sent (percent escapes and dot segments untouched: the handler validates it).
    std::map<std::string, std::string> params;
    std::string raw_path = {};   // the path as sent, without the query (not decoded)
    BodyReader* body = nullptr;  // streamed routes only; null otherwise
    std::any guard_data = {};    // what the route's guard left for the handler
    bool public_cors = false;  // the matched route's RouteOptions::public_cors (set by the server)
    // The matched route's pattern ("/album/:id"; Router::Route::label), empty when none matched:
    // what logs and metrics name instead of the raw path.
    std::string_view route = {};
};

using Handler = std::function<boost::asio::awaitable<Response>(Context&)>;

// What a handler may answer: a string body (everything existing handlers return), or a file.
using Reply = std::variant<Response, FileReply>;
using ReplyHandler = std::function<boost::asio::awaitable<Reply>(Context&)>;

// Runs after the head is read and before any body byte is: nullopt lets the request through to
// the handler; a Response is the final answer (no `100 Continue` is sent, the body is never read,
// and the connection closes when a body was coming). It may leave data for the handler in
// ctx.guard_data (e.g. the principal).
using Guard = std::function<boost::asio::awaitable<std::optional<Response>>(Context&)>;

// absl::StatusCode -> HTTP status (STYLE.md's table; the only place this mapping lives).
http::status ToHttpStatus(absl::StatusCode code);

// The one error body: {"statusCode":N,"message":"...","error":"<reason>","requestId":"..."}, plus
// "errors":{field: message} for validation failures (422).
Response JsonError(
    const Context& ctx,
    http::status status,
    std::string_view message,
    const boost::json::object* errors = nullptr);
Response ErrorFromStatus(const Context& ctx, const absl::Status& status);
// 404 "Cannot GET /x": the answer when no route matches (also for handlers that decline).
Response NoRoute(const Context& ctx);

Response Json(const Context& ctx, http::status status, const boost::json::value& body);
Response Text(const Context& ctx, http::status status, std::string body);

}  // namespace hatongsu::net
