// The user service's settings: what refuses to start.
#include "services/user/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::user {
namespace {

using testkit::IsOk;

// InvalidArgument naming the variable to set.
void ExpectRefusedNaming(config::Env& env, const std::string& variable) {
    auto cfg = LoadConfig(env);
    ASSERT_EQ(cfg.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(cfg.status().message().find(variable), std::string::npos) << cfg.status();
}

std::map<std::string, std::string> Minimal(const std::string& address) {
    return {
        {"USER_GRPC_ADDR", address},
        {"USER_PG_URL", "postgresql://localhost/hatongsu"},
        {"ACCESS_TOKEN_SECRET", "access-secret"},
        {"REFRESH_TOKEN_SECRET", "refresh-secret"}};
}

TEST(UserConfig, OnLoopbackCallersNeedNoSecret) {
    config::Env env(Minimal("127.0.0.1:4001"));
    auto cfg = LoadConfig(env);
    ASSERT_THAT(cfg, IsOk());
    EXPECT_EQ(cfg->service_secret, "");
}

TEST(UserConfig, AnyOtherAddressWithoutSecretOrMutualTlsIsRefused) {
    for (const char* address : {"0.0.0.0:4001", "[::]:4001", "10.1.2.3:4001"}) {
        SCOPED_TRACE(address);
        config::Env env(Minimal(address));
        ExpectRefusedNaming(env, "HATONGSU_SERVICE_SECRET");
    }
}

TEST(UserConfig, AnyAddressWithASecretOrMutualTlsStarts) {
    auto with_secret = Minimal("0.0.0.0:4001");
    with_secret["HATONGSU_SERVICE_SECRET"] = "0123456789abcdef0123";
    config::Env env(with_secret);
    auto cfg = LoadConfig(env);
    ASSERT_THAT(cfg, IsOk());
    EXPECT_EQ(cfg->service_secret, "0123456789abcdef0123");

    auto with_mtls = Minimal("0.0.0.0:4001");
    with_mtls["USER_GRPC_TLS_CERT_FILE"] = "/etc/hatongsu/user.pem";
    with_mtls["USER_GRPC_TLS_KEY_FILE"] = "/etc/hatongsu/user.key";
    with_mtls["USER_GRPC_TLS_CLIENT_CA_FILE"] = "/etc/hatongsu/ca.pem";
    config::Env mtls_env(with_mtls);
    EXPECT_THAT(LoadConfig(mtls_env), IsOk());
}

TEST(UserConfig, AShortSecretIsRefused) {
    auto vars = Minimal("127.0.0.1:4001");
    vars["HATONGSU_SERVICE_SECRET"] = "short";
    config::Env env(vars);
    ExpectRefusedNaming(env, "HATONGSU_SERVICE_SECRET");
}

// Issue 5, section 6: no "pool exhausted" under a login storm: the pool has a connection for
// every thread that uses it.
TEST(UserConfig, TheDatabasePoolHasAConnectionForEveryThreadThatUsesIt) {
    auto vars = Minimal("127.0.0.1:4001");
    vars["USER_THREADS"] = "8";
    vars["USER_HASH_THREADS"] = "6";
    config::Env env(vars);
    auto cfg = LoadConfig(env);
    ASSERT_THAT(cfg, IsOk());
    EXPECT_EQ(cfg->pg_pool_size, 14);

    vars["USER_PG_POOL_SIZE"] = "8";
    config::Env small(vars);
    ExpectRefusedNaming(small, "USER_PG_POOL_SIZE");
    vars["USER_PG_POOL_SIZE"] = "20";
    config::Env larger(vars);
    EXPECT_THAT(LoadConfig(larger), IsOk());
}

}  // namespace
}  // namespace hatongsu::user
