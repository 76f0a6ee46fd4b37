// EVENT_* variables: defaults, the original's names, and typos failing at start-up.
#include "services/event/config.h"

#include <gtest/gtest.h>

namespace hatongsu::event {
namespace {

TEST(EventConfig, DefaultsSuitALaptop) {
    config::Env env({});
    auto c = LoadConfig(env);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->address, "127.0.0.1");
    EXPECT_EQ(c->port, 2567);
    EXPECT_EQ(c->room.seat_reservation, std::chrono::seconds(15));
    EXPECT_EQ(c->room.history, 50u);
    EXPECT_EQ(c->room.max_message_chars, 500u);
    EXPECT_EQ(c->endpoints.websocket.max_message_size, 4096u);
    EXPECT_EQ(c->endpoints.websocket.ping_interval, std::chrono::seconds(3));
    EXPECT_FALSE(c->require_auth);
    EXPECT_EQ(c->room.max_pending_seats, 100u);
    EXPECT_EQ(c->room.max_pending_seats_per_client, 10u);
    EXPECT_EQ(c->room.max_sessions_per_client, 32u);
    EXPECT_FALSE(c->trust_forwarded_for);
    EXPECT_EQ(c->endpoints.websocket.write_timeout, std::chrono::seconds(15));
}

TEST(EventConfig, ReadsFrontendUrlAndRequireAuth) {
    config::Env env(
        {{"FRONTEND_URL", "https://gallery.example"},
         {"EVENT_REQUIRE_AUTH", "1"},
         {"ACCESS_TOKEN_SECRET", "s"},
         {"EVENT_CAPACITY", "3"}});
    auto c = LoadConfig(env);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->cors_origins, std::vector<std::string>{"https://gallery.example"});
    EXPECT_TRUE(c->require_auth);
    EXPECT_EQ(c->room.capacity, 3u);
}

TEST(EventConfig, RequireAuthNeedsTheSecretAndTyposFail) {
    config::Env env({{"EVENT_REQUIRE_AUTH", "1"}, {"EVENT_CAPACITTY", "3"}});
    EXPECT_FALSE(LoadConfig(env).ok());
}

}  // namespace
}  // namespace hatongsu::event
