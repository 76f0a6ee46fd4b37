// AMQP settings read with libs/config. Which variable names a service uses is its own business
// (album: ALBUM_AMQP_URL or RABBITMQ_URL; gateway: GATEWAY_AMQP_URL or ALBUM_RABBITMQ_URL).
//
//   std::string url = amqp::LoadUrl(env, {"ALBUM_AMQP_URL", "RABBITMQ_URL"},
//                                   "amqp://guest:guest@127.0.0.1:5672/");
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <absl/status/status.h>

#include "hatongsu/config/env.h"

namespace hatongsu::amqp {

// InvalidArgument unless `url` is amqp://[user[:password]@]host[:port][/vhost] (amqps is not
// supported yet).
[[nodiscard]] absl::Status ValidateUrl(std::string_view url);

// The URL with its password replaced by "***", for logs.
std::string RedactUrl(std::string_view url);

// The first of `names` that is set (read as a secret: also <NAME>_FILE, shown redacted by
// Env::Effective()), else `default_url`; a malformed URL is recorded as an error in `env`.
std::string LoadUrl(
    config::Env& env, std::initializer_list<std::string_view> names, std::string default_url);

}  // namespace hatongsu::amqp
