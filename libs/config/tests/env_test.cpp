#include "hatongsu/config/env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::config {
namespace {

using ::hatongsu::testkit::IsOk;
using ::hatongsu::testkit::StatusIs;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsTheOriginalSyntaxWithUnits) {
    EXPECT_EQ(ParseDuration("3600h").value(), 3600h);
    EXPECT_EQ(ParseDuration("7d").value(), 7 * 24h);
    EXPECT_EQ(ParseDuration("15m").value(), 15min);
    EXPECT_EQ(ParseDuration("2 days").value(), 48h);
    EXPECT_EQ(ParseDuration("500ms").value(), 500ms);
}

TEST(ParseDuration, RefusesBareNumbersAndUnknownUnits) {
    EXPECT_THAT(ParseDuration("3600"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(ParseDuration("5 fortnights"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(ParseDuration("h"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Env, PrefersTheNewNameAndFallsBackToTheOriginal) {
    Env env(std::map<std::string, std::string>{{"HTTP_PORT", "4100"}});
    EXPECT_EQ(env.Int({"GATEWAY_HTTP_PORT", "HTTP_PORT"}, 4000, 1, 65535), 4100);
    Env both({{"HTTP_PORT", "4100"}, {"GATEWAY_HTTP_PORT", "4200"}});
    EXPECT_EQ(both.Int({"GATEWAY_HTTP_PORT", "HTTP_PORT"}, 4000, 1, 65535), 4200);
    EXPECT_THAT(both.Finish("GATEWAY_", {}), IsOk());
}

TEST(Env, ReportsEveryProblemAtOnce) {
    Env env({{"GATEWAY_HTTP_PORT", "99999"}, {"GATEWAY_TYPO", "1"}, {"GATEWAY_TLS", "maybe"}});
    env.Int({"GATEWAY_HTTP_PORT"}, 4000, 1, 65535);
    env.Required({"GATEWAY_SECRET"});
    env.Bool({"GATEWAY_TLS"}, false);
    absl::Status s = env.Finish("GATEWAY_", {});
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(s.message()), HasSubstr("GATEWAY_HTTP_PORT"));
    EXPECT_THAT(std::string(s.message()), HasSubstr("GATEWAY_SECRET is required"));
    EXPECT_THAT(std::string(s.message()), HasSubstr("GATEWAY_TYPO is not a setting"));
    EXPECT_THAT(std::string(s.message()), HasSubstr("GATEWAY_TLS"));
}

TEST(Env, ForeignVariablesSharingThePrefixAreAllowed) {
    Env env(std::map<std::string, std::string>{{"USER_GRPC_URL", "x"}});
    EXPECT_THAT(env.Finish("USER_", {"USER_GRPC_URL"}), IsOk());
}

TEST(Env, SecretsAreRedactedAndDurationsInNamesWithUnits) {
    Env env({{"ACCESS_TOKEN_SECRET", "s3cret"}, {"GATEWAY_TIMEOUT_MS", "250"}});
    EXPECT_EQ(env.Secret({"ACCESS_TOKEN_SECRET"}), "s3cret");
    EXPECT_EQ(env.Duration({"GATEWAY_TIMEOUT_MS"}, 1s), 250ms);
    EXPECT_EQ(env.Effective().at("ACCESS_TOKEN_SECRET"), "***");
}

TEST(Env, AnEmptySecretFileIsAsMissingAsAnUnsetRequiredSecret) {
    char path[] = "/tmp/env_test_secret_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "\n", 1), 1);  // only whitespace: trimmed to nothing
    close(fd);
    Env env({{"ACCESS_TOKEN_SECRET_FILE", path}, {"GOOGLE_CLIENT_SECRET_FILE", path}});
    EXPECT_EQ(env.Secret({"ACCESS_TOKEN_SECRET"}), "");
    EXPECT_EQ(env.Secret({"GOOGLE_CLIENT_SECRET"}, "", false), "");  // optional: empty is fine
    absl::Status s = env.Finish("GATEWAY_", {});
    unlink(path);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(s.message()), HasSubstr("ACCESS_TOKEN_SECRET_FILE"));
    EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("GOOGLE_CLIENT_SECRET")));
}

}  // namespace
}  // namespace hatongsu::config
