#include "services/gateway/adapter/grpc/call.h"

#include "hatongsu/log/log.h"

namespace hatongsu::gateway::grpc_adapter {

absl::Status Edge(const absl::Status& s, std::string_view service) {
    const std::string name(service);
    if (s.code() == absl::StatusCode::kDeadlineExceeded) {
        return absl::DeadlineExceededError(name + "_SERVICE_TIMEOUT");
    }
    if (s.code() == absl::StatusCode::kUnavailable) {
        return absl::UnavailableError(name + "_SERVICE_UNAVAILABLE");
    }
    if (s.code() == absl::StatusCode::kUnauthenticated && s.message() == "SERVICE_AUTH_REQUIRED") {
        // The service refused the gateway itself (HATONGSU_SERVICE_SECRET differs): our fault,
        // not the browser's, so not a 401.
        log::Error(
            "a service refused the gateway: check HATONGSU_SERVICE_SECRET", {{"service", name}});
        return absl::UnavailableError(name + "_SERVICE_UNAVAILABLE");
    }
    return s;
}

}  // namespace hatongsu::gateway::grpc_adapter
