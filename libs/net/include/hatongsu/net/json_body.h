// Reading JSON request bodies. The size limit is enforced earlier, by the server (413).
#pragma once

#include <absl/status/statusor.h>
#include <boost/json/object.hpp>

#include "hatongsu/net/http.h"

namespace hatongsu::net {

// The body as a JSON object; an empty body is an empty object.
// Errors: InvalidArgument "Malformed JSON: ..." or "JSON body must be an object".
absl::StatusOr<boost::json::object> JsonObjectBody(const Context& ctx);

}  // namespace hatongsu::net
