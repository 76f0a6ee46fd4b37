// HTTP vocabulary shared by the server core and the services' route adapters: request/response
// types, the per-request Context, the JSON error body and the one absl::StatusCode -> HTTP status
// table.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

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

// Everything a handler knows about one request. Lives in the connection's coroutine frame for the
// duration of the call; handlers may keep references into it until they co_return.
struct Context {
    const Request& request;
    std::string request_id;
    std::string remote_ip;
    std::string path;  // decoded path without the query
    Query query;
    std::map<std::string, std::string> params;  // from ":name" segments of the route
};

using Handler = std::function<boost::asio::awaitable<Response>(Context&)>;

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

Response Json(const Context& ctx, http::status status, const boost::json::value& body);
Response Text(const Context& ctx, http::status status, std::string body);

}  // namespace hatongsu::net
