#include "hatongsu/amqp/config.h"

#include "libs/amqp/src/connection.h"

namespace hatongsu::amqp {

absl::Status ValidateUrl(std::string_view url) {
    return internal::ParseUrl(url).status();
}

std::string RedactUrl(std::string_view url) {
    std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return std::string(url);
    }
    std::size_t start = scheme + 3;
    std::size_t at = url.find('@', start);
    if (at == std::string_view::npos) {
        return std::string(url);
    }
    std::size_t colon = url.find(':', start);
    if (colon == std::string_view::npos || colon > at) {
        return std::string(url);  // a user and no password
    }
    return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string LoadUrl(
    config::Env& env, std::initializer_list<std::string_view> names, std::string default_url) {
    std::string url = env.Secret(names, std::move(default_url), /*required=*/false);
    if (absl::Status s = ValidateUrl(url); !s.ok()) {
        env.AddError(std::string(*names.begin()) + ": " + std::string(s.message()));
    }
    return url;
}

}  // namespace hatongsu::amqp
