#include "hatongsu/net/json_body.h"

#include <boost/json/parse.hpp>

namespace hatongsu::net {

absl::StatusOr<boost::json::object> JsonObjectBody(const Context& ctx) {
    const std::string& body = ctx.request.body();
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return boost::json::object{};
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec) {
        return absl::InvalidArgumentError("Malformed JSON: " + ec.message());
    }
    if (!v.is_object()) {
        return absl::InvalidArgumentError("JSON body must be an object");
    }
    return std::move(v.as_object());
}

}  // namespace hatongsu::net
