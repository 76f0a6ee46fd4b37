#include "hatongsu/net/http.h"

#include <boost/json/serialize.hpp>

#include "hatongsu/core/text.h"

namespace hatongsu::net {
namespace {

bool IsArrayFormOf(std::string_view key, std::string_view name) {
    if (!key.starts_with(name) || key.size() < name.size() + 2) {
        return false;
    }
    std::string_view rest = key.substr(name.size());
    if (rest.front() != '[' || rest.back() != ']') {
        return false;
    }
    std::string_view inner = rest.substr(1, rest.size() - 2);
    return inner.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Query Query::Parse(std::string_view query) {
    Query q;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) {
            continue;
        }
        auto eq = part.find('=');
        std::string key = core::PercentDecode(part.substr(0, eq), true);
        std::string value =
            eq == std::string_view::npos ? "" : core::PercentDecode(part.substr(eq + 1), true);
        q.items_.emplace_back(std::move(key), std::move(value));
    }
    return q;
}

std::optional<std::string> Query::Get(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [k, v] : items_) {
        if (k == name) {
            if (found) {
                return std::nullopt;
            }
            found = v;
        }
    }
    return found;
}

std::size_t Query::Count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& item : items_) {
        n += item.first == name ? 1 : 0;
    }
    return n;
}

std::vector<std::string> Query::Values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : items_) {
        if (k == name || IsArrayFormOf(k, name)) {
            out.push_back(v);
        }
    }
    return out;
}

http::status ToHttpStatus(absl::StatusCode code) {
    switch (code) {
        case absl::StatusCode::kOk:
            return http::status::ok;
        case absl::StatusCode::kInvalidArgument:
        case absl::StatusCode::kFailedPrecondition:
        case absl::StatusCode::kOutOfRange:
            return http::status::bad_request;
        case absl::StatusCode::kUnauthenticated:
            return http::status::unauthorized;
        case absl::StatusCode::kPermissionDenied:
            return http::status::forbidden;
        case absl::StatusCode::kNotFound:
            return http::status::not_found;
        case absl::StatusCode::kAlreadyExists:
        case absl::StatusCode::kAborted:
            return http::status::conflict;
        case absl::StatusCode::kResourceExhausted:
            return http::status::too_many_requests;
        case absl::StatusCode::kUnimplemented:
            return http::status::not_implemented;
        case absl::StatusCode::kUnavailable:
            return http::status::service_unavailable;
        case absl::StatusCode::kDeadlineExceeded:
            return http::status::gateway_timeout;
        default:
            return http::status::internal_server_error;
    }
}

Response Json(const Context& ctx, http::status status, const boost::json::value& body) {
    Response res{status, ctx.request.version()};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
    return res;
}

Response Text(const Context& ctx, http::status status, std::string body) {
    Response res{status, ctx.request.version()};
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response JsonError(
    const Context& ctx,
    http::status status,
    std::string_view message,
    const boost::json::object* errors) {
    boost::json::object body;
    body["statusCode"] = static_cast<int>(status);
    body["message"] = message;
    body["error"] = std::string(http::obsolete_reason(status));
    if (errors != nullptr) {
        body["errors"] = *errors;
    }
    if (!ctx.request_id.empty()) {
        body["requestId"] = ctx.request_id;
    }
    return Json(ctx, status, body);
}

Response ErrorFromStatus(const Context& ctx, const absl::Status& status) {
    http::status code = ToHttpStatus(status.code());
    std::string message(status.message());
    if (code == http::status::internal_server_error || message.empty()) {
        message = "Internal server error";  // details are in the log, not in the body
    }
    return JsonError(ctx, code, message);
}

Response NoRoute(const Context& ctx) {
    const Request& req = ctx.request;
    return JsonError(
        ctx, http::status::not_found,
        "Cannot " + std::string(req.method_string()) + " " + std::string(req.target()));
}

}  // namespace hatongsu::net
