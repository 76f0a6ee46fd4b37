// GATEWAY_* variables: defaults, the web client's settings, and bad values failing at start-up.
#include "services/gateway/config.h"

#include <gtest/gtest.h>

namespace hatongsu::gateway {
namespace {

using Vars = std::map<std::string, std::string>;

TEST(GatewayConfig, DefaultsSuitALaptop) {
    config::Env env({});
    auto c = LoadConfig(env);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->http.address, "127.0.0.1");
    EXPECT_EQ(c->http.port, 4000);
    EXPECT_EQ(c->web_dir, "");
    // Empty: the web client finds the gallery's servers on its own host at their default ports.
    EXPECT_EQ(c->event_public_url, "");
    EXPECT_EQ(c->world_public_url, "");
}

TEST(GatewayConfig, ReadsTheGallerysPublicServerUrls) {
    config::Env env(
        {{"GATEWAY_EVENT_PUBLIC_URL", "https://chat.example.org"},
         {"GATEWAY_WORLD_PUBLIC_URL", "http://[::1]:4100"}});
    auto c = LoadConfig(env);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->event_public_url, "https://chat.example.org");
    EXPECT_EQ(c->world_public_url, "http://[::1]:4100");
}

TEST(GatewayConfig, APublicServerUrlMustBeAnHttpBaseUrl) {
    for (std::string bad :
         {"127.0.0.1:2567", "ws://127.0.0.1:2567", "http://host:2567/path", "http://",
          "http://a\"b", "https://host:1 x"}) {
        config::Env env(Vars{{"GATEWAY_EVENT_PUBLIC_URL", bad}});
        auto c = LoadConfig(env);
        ASSERT_FALSE(c.ok()) << bad;
        EXPECT_NE(c.status().message().find("GATEWAY_EVENT_PUBLIC_URL"), std::string::npos)
            << c.status();
    }
    config::Env world(Vars{{"GATEWAY_WORLD_PUBLIC_URL", "host:4100"}});
    EXPECT_FALSE(LoadConfig(world).ok());
}

TEST(GatewayConfig, TyposFail) {
    config::Env env(Vars{{"GATEWAY_EVENT_PUBLIK_URL", "http://host:2567"}});
    EXPECT_FALSE(LoadConfig(env).ok());
}

}  // namespace
}  // namespace hatongsu::gateway
