#include "hatongsu/amqp/config.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"

namespace hatongsu::amqp {
namespace {

using testkit::IsOk;
using testkit::StatusIs;

TEST(LoadUrl, TakesTheFirstNameSetAndRedactsIt) {
    config::Env env(
        std::map<std::string, std::string>{{"RABBITMQ_URL", "amqp://u:p@rabbit:5672/"}});
    EXPECT_EQ(
        LoadUrl(env, {"ALBUM_AMQP_URL", "RABBITMQ_URL"}, "amqp://guest:guest@127.0.0.1:5672/"),
        "amqp://u:p@rabbit:5672/");
    EXPECT_THAT(env.Finish("ALBUM_", {}), IsOk());
    EXPECT_EQ(env.Effective().at("RABBITMQ_URL"), "***");
}

TEST(LoadUrl, FallsBackToTheDefault) {
    config::Env env(std::map<std::string, std::string>{});
    EXPECT_EQ(
        LoadUrl(env, {"ALBUM_AMQP_URL", "RABBITMQ_URL"}, "amqp://guest:guest@127.0.0.1:5672/"),
        "amqp://guest:guest@127.0.0.1:5672/");
    EXPECT_THAT(env.Finish("ALBUM_", {}), IsOk());
}

TEST(LoadUrl, ReportsAMalformedUrl) {
    config::Env env(std::map<std::string, std::string>{{"ALBUM_AMQP_URL", "http://rabbit/"}});
    LoadUrl(env, {"ALBUM_AMQP_URL", "RABBITMQ_URL"}, "amqp://127.0.0.1/");
    EXPECT_THAT(env.Finish("ALBUM_", {}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hatongsu::amqp
