#include "services/user/domain/credentials.h"

#include "hatongsu/core/text.h"

namespace hatongsu::user {
namespace {

// "<scheme> <payload>" with exactly one space and a non-empty payload, as the original split it.
bool SplitScheme(std::string_view header, std::string_view scheme, std::string_view* payload) {
    auto space = header.find(' ');
    if (space == std::string_view::npos || header.find(' ', space + 1) != std::string_view::npos) {
        return false;
    }
    *payload = header.substr(space + 1);
    return core::EqualsIgnoreCase(header.substr(0, space), scheme) && !payload->empty();
}

}  // namespace

absl::StatusOr<Credentials> ParseBasicCredentials(std::string_view header) {
    std::string_view payload;
    if (!SplitScheme(header, "basic", &payload)) {
        return absl::InvalidArgumentError("INVALID_CREDENTIALS");
    }
    std::string text = core::Base64DecodeLenient(payload);
    auto colon = text.find(':');
    if (colon == std::string::npos) {
        return absl::InvalidArgumentError("INVALID_CREDENTIALS");
    }
    return Credentials{text.substr(0, colon), text.substr(colon + 1)};
}

absl::StatusOr<std::string> ParseBearer(std::string_view header) {
    std::string_view token;
    if (!SplitScheme(header, "bearer", &token)) {
        return absl::UnauthenticatedError("INVALID_TOKEN");
    }
    return std::string(token);
}

}  // namespace hatongsu::user
