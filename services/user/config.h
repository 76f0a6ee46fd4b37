// The user service's settings, read from the environment (README lists every variable).
#pragma once

#include <chrono>
#include <string>

#include <absl/status/statusor.h>

#include "hatongsu/config/env.h"
#include "hatongsu/rpc/tls.h"
#include "hatongsu/runtime/admin.h"
#include "services/user/adapter/crypto/argon2_password_hasher.h"
#include "services/user/adapter/google/jwks_google_verifier.h"
#include "services/user/adapter/jwt/jwt_token_codec.h"
#include "services/user/domain/address_rate_limit.h"
#include "services/user/domain/login_throttle.h"

namespace hatongsu::user {

struct UserConfig {
    std::string grpc_address;
    rpc::ServerTls grpc_tls;
    std::string service_secret;  // HATONGSU_SERVICE_SECRET; empty: mutual TLS or loopback only
    std::string pg_url;
    int pg_pool_size;
    int io_threads;
    int hash_threads;
    int max_queued_hashes;
    int max_queued_calls;                     // database-bound calls waiting or running at most
    std::chrono::milliseconds drain_timeout;  // SIGTERM: calls still running are cancelled
    jwt::TokenSettings tokens;
    crypto::Argon2Params argon2;
    ThrottleLimits throttle;
    RateLimits registrations;  // per client address
    google::GoogleSettings google;
    std::string admin_email;
    std::string admin_password;  // empty: generate one
    std::string log_level;
    runtime::AdminConfig admin;  // USER_METRICS, USER_ADMIN_ADDR, USER_ADMIN_PORT (default 9101)
    std::string log_format;
};

absl::StatusOr<UserConfig> LoadConfig(config::Env& env);

}  // namespace hatongsu::user
