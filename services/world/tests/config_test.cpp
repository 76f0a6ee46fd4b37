// WORLD_* variables: defaults, parsing of bounds and spawn, and typos failing at start-up.
#include "services/world/config.h"

#include <gtest/gtest.h>

namespace hatongsu::world {
namespace {

using namespace std::chrono_literals;

TEST(WorldConfig, DefaultsSuitALaptop) {
    config::Env env({});
    auto c = LoadConfig(env);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->address, "127.0.0.1");
    EXPECT_EQ(c->port, 4100);
    EXPECT_EQ(c->endpoints.tick, 10ms);  // 100 Hz
    EXPECT_EQ(c->world.rate.per_second, 60);
    EXPECT_EQ(c->world.relay.per_second, 1000);
    EXPECT_EQ(c->world.relay.burst, 20);  // two ticks' worth
    EXPECT_EQ(c->world.capacity, 100u);
    EXPECT_EQ(c->signaling.capacity, 100u);
    EXPECT_EQ(c->world.rules.bounds.min, (Vec3{-100, -10, -100}));
    EXPECT_EQ(c->world.rules.bounds.max, (Vec3{100, 50, 100}));
    EXPECT_EQ(c->world.spawn.center, (Vec3{0, 0, 0}));
    EXPECT_EQ(c->signaling.limits.open_timeout, 30s);
    EXPECT_EQ(c->signaling.limits.max_pending, 200u);
    EXPECT_EQ(c->signaling.limits.max_pending_per_address, 10u);
    EXPECT_EQ(c->signaling.limits.max_per_address, 32u);
    EXPECT_FALSE(c->signaling.require_auth);
    EXPECT_EQ(c->reliable.runs, 10);
    EXPECT_EQ(c->reliable.interval, 150ms);
    EXPECT_EQ(c->inbound.codec.max_bytes, 4096u);
    EXPECT_EQ(c->transport.max_inbound_message_bytes, 4096u);  // the transport stops there too
    EXPECT_EQ(c->transport.udp_port, 50000);
    EXPECT_EQ(c->transport.public_ip, "");
    EXPECT_EQ(c->cors_origins, std::vector<std::string>{"http://localhost:4000"});
    EXPECT_TRUE(c->tls_cert_file.empty());
}

TEST(WorldConfig, ReadsEverySetting) {
    config::Env env({
        {"WORLD_PORT", "4200"},
        {"WORLD_UDP_PORT", "50010"},
        {"WORLD_PUBLIC_IP", "203.0.113.10"},
        {"WORLD_TICK_HZ", "10"},
        {"WORLD_UPDATE_RATE", "30"},
        {"WORLD_RELAY_PER_PEER", "500"},
        {"WORLD_BOUNDS", "-5,0,-5,5,3,5"},
        {"WORLD_SPAWN", "1,0,-1"},
        {"WORLD_CAPACITY", "8"},
        {"WORLD_MAX_MESSAGE_BYTES", "2048"},
        {"WORLD_MAX_CONNECTIONS_PER_IP", "3"},
        {"WORLD_OPEN_TIMEOUT_MS", "10s"},
        {"WORLD_CORS_ORIGINS", "https://www.example-game.net"},
        {"WORLD_TLS_CERT_FILE", "/c.pem"},
        {"WORLD_TLS_KEY_FILE", "/k.pem"},
        {"WORLD_REQUIRE_AUTH", "1"},
        {"ACCESS_TOKEN_SECRET", "s"},
    });
    auto c = LoadConfig(env);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->port, 4200);
    EXPECT_EQ(c->transport.udp_port, 50010);
    EXPECT_EQ(c->transport.public_ip, "203.0.113.10");
    EXPECT_EQ(c->endpoints.tick, 100ms);
    EXPECT_EQ(c->inbound.codec.max_bytes, 2048u);
    EXPECT_EQ(c->transport.max_inbound_message_bytes, 2048u);
    EXPECT_EQ(c->signaling.limits.max_per_address, 3u);
    EXPECT_EQ(c->world.rate.per_second, 30);
    EXPECT_EQ(c->world.rate.burst, 30);
    EXPECT_EQ(c->world.relay.per_second, 500);
    EXPECT_EQ(c->world.relay.burst, 100);  // two ticks' worth at 10 Hz
    EXPECT_EQ(c->world.rules.bounds.max, (Vec3{5, 3, 5}));
    EXPECT_EQ(c->world.spawn.center, (Vec3{1, 0, -1}));
    EXPECT_EQ(c->world.capacity, 8u);
    EXPECT_EQ(c->signaling.capacity, 8u);
    EXPECT_EQ(c->signaling.limits.open_timeout, 10s);
    EXPECT_EQ(c->cors_origins, std::vector<std::string>{"https://www.example-game.net"});
    EXPECT_EQ(c->tls_cert_file, "/c.pem");
    EXPECT_TRUE(c->signaling.require_auth);
    EXPECT_EQ(c->access_secret, "s");
    net::ServerOptions http = HttpServerOptions(*c);
    EXPECT_EQ(http.port, 4200);
    EXPECT_EQ(http.cert_file, "/c.pem");
    EXPECT_EQ(http.key_file, "/k.pem");
    EXPECT_EQ(http.cors_origins, std::vector<std::string>{"https://www.example-game.net"});
}

TEST(WorldConfig, BadValuesAreAllReportedAtOnce) {
    config::Env env({
        {"WORLD_BOUNDS", "1,2,3"},
        {"WORLD_SPAWN", "0,0,nan"},
        {"WORLD_TLS_CERT_FILE", "/c.pem"},
        {"WORLD_REQUIRE_AUTH", "1"},
        {"WORLD_TICKHZ", "20"},
    });
    auto c = LoadConfig(env);
    ASSERT_FALSE(c.ok());
    const std::string m(c.status().message());
    EXPECT_NE(m.find("WORLD_BOUNDS"), std::string::npos) << m;
    EXPECT_NE(m.find("WORLD_SPAWN"), std::string::npos) << m;
    EXPECT_NE(m.find("WORLD_TLS_KEY_FILE"), std::string::npos) << m;
    EXPECT_NE(m.find("ACCESS_TOKEN_SECRET"), std::string::npos) << m;
    EXPECT_NE(m.find("WORLD_TICKHZ"), std::string::npos) << m;
}

TEST(WorldConfig, ParsesBoundsAndRefusesEmptyBoxes) {
    EXPECT_TRUE(ParseBounds("-1,-1,-1,1,1,1").ok());
    EXPECT_FALSE(ParseBounds("1,-1,-1,1,1,1").ok());
    EXPECT_FALSE(ParseBounds("-1,-1,-1,1,1").ok());
    EXPECT_FALSE(ParseBounds("-1,-1,-1,1,1,1e9").ok());
    EXPECT_FALSE(ParseVec3("a,b,c").ok());
    EXPECT_EQ(*ParseVec3(" 1.5,0,-2"), (Vec3{1.5, 0, -2}));
}

TEST(WorldConfig, SpawnMustLieInsideTheBounds) {
    config::Env env({{"WORLD_BOUNDS", "-5,0,-5,5,3,5"}, {"WORLD_SPAWN", "10,0,0"}});
    EXPECT_FALSE(LoadConfig(env).ok());
}

}  // namespace
}  // namespace hatongsu::world
