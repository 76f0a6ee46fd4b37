// The event server's endpoints over real sockets (libs/net server on loopback, a Beast websocket
// client): the join flow, the bad-input list of issue 8, CORS, moderation and shutdown.
#include <filesystem>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "hatongsu/jwt/jwt.h"
#include "hatongsu/net/server.h"
#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/http_client.h"
#include "services/event/adapter/colyseus/codec.h"
#include "services/event/adapter/http/event_endpoints.h"
#include "services/event/adapter/jwt/jwt_access_verifier.h"
#include "services/event/testing/fakes.h"

namespace hatongsu::event::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Client = websocket::stream<tcp::socket>;
using testkit::HttpCall;
using namespace std::chrono_literals;

constexpr char kSecret[] = "test-access-secret";
constexpr char kOrigin[] = "http://localhost:3000";

std::string ChatFrame(std::string_view text) {
    std::string out = "\x0d";
    colyseus::PutSchemaString(out, "clientChatMessage");
    colyseus::PutMsgpackString(out, text);
    return out;
}

std::size_t OpenFds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++n;
    }
    return n;
}

class EndpointsTest : public ::testing::Test {
protected:
    EndpointsTest()
        : verifier_(kSecret, clock_),
          gallery_(Settings(), false, sockets_, ids_, verifier_, clock_),
          endpoints_(gallery_, sockets_, Options()) {
        endpoints_.Register(router_);
        net::ServerOptions options;
        options.cors_origins = {kOrigin};
        server_ = std::make_unique<net::Server>(io_, options, router_);
        server_->Start();
        asio::co_spawn(io_, endpoints_.RunTicker(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~EndpointsTest() override {
        endpoints_.Stop();
        server_->Abort();
        io_.stop();
        thread_.join();
    }

    static RoomSettings Settings() {
        RoomSettings s;
        s.room_id = "room1";
        s.process_id = "proc1";
        s.reconnect_grace = 10s;
        return s;
    }
    static EndpointOptions Options() {
        EndpointOptions o;
        o.websocket.ping_interval = 0ms;
        o.patch_interval = 5ms;
        return o;
    }

    testkit::HttpResult Post(const std::string& target, const std::string& body) {
        return HttpCall(
            server_->Port(), net::http::verb::post, target, {{"Content-Type", "application/json"}},
            body);
    }

    std::string Seat(const std::string& body) {
        auto res = Post("/matchmake/join/gallery_room", body);
        EXPECT_EQ(res.status, 200);
        return std::string(res.Json().at("sessionId").as_string());
    }

    std::unique_ptr<Client> Open(const std::string& session, const std::string& extra = "") {
        auto client = std::make_unique<Client>(client_io_);
        client->next_layer().connect({asio::ip::make_address("127.0.0.1"), server_->Port()});
        client->handshake("127.0.0.1", "/proc1/room1?sessionId=" + session + extra);
        client->binary(true);
        return client;
    }

    static std::string Read(Client& client) {
        beast::flat_buffer buffer;
        client.read(buffer);
        return beast::buffers_to_string(buffer.data());
    }
    // The next frame with this protocol code (others, such as patches, are skipped).
    static std::string ReadCode(Client& client, colyseus::Code code) {
        for (;;) {
            std::string frame = Read(client);
            if (!frame.empty() && frame[0] == static_cast<char>(code)) {
                return frame;
            }
        }
    }
    static void Write(Client& client, std::string_view bytes) {
        client.write(asio::buffer(bytes.data(), bytes.size()));
    }
    // How the server ended the connection: the close code (none: 0), or -1 without a close.
    static int CloseCode(Client& client) {
        for (;;) {
            beast::flat_buffer buffer;
            beast::error_code ec;
            client.read(buffer, ec);
            if (ec == websocket::error::closed) {
                return client.reason().code;
            }
            if (ec) {
                return -1;
            }
        }
    }

    // Join, acknowledge, and read the full state: a client in the room.
    std::unique_ptr<Client> Joined(
        const std::string& player,
        const std::string& nick,
        std::string* session_out = nullptr,
        std::string* token_out = nullptr) {
        std::string session =
            Seat(R"({"playerId":")" + player + R"(","nickname":")" + nick + R"("})");
        auto client = Open(session);
        std::string join = Read(*client);
        auto token = colyseus::DecodeJoinRoomToken(join);
        EXPECT_TRUE(token.ok());
        Write(*client, "\x0a");
        ReadCode(*client, colyseus::Code::kRoomState);
        if (session_out != nullptr) {
            *session_out = session;
        }
        if (token_out != nullptr) {
            *token_out = *token;
        }
        return client;
    }

    static colyseus::DecodedChat ReadChat(Client& client) {
        for (;;) {
            std::string frame = ReadCode(client, colyseus::Code::kRoomData);
            auto chat = colyseus::DecodeServerChat(frame);
            if (chat.ok() && chat->type == "serverChatMessage") {
                return *chat;
            }
        }
    }

    std::string Token(const std::string& role) {
        auto now = core::EpochSeconds(clock_.Now());
        auto token = hatongsu::jwt::SignHs256(
            {{"sub", "u-" + role},
             {"role", role},
             {"type", "access"},
             {"iat", now},
             {"exp", now + 600}},
            kSecret);
        EXPECT_TRUE(token.ok());
        return *token;
    }

    asio::io_context io_;  // first: destroyed after everything that holds its timers and sockets
    testkit::FakeClock clock_;
    testing_fakes::SequentialIds ids_;
    event::jwt::JwtAccessVerifier verifier_;
    SocketConnections sockets_{io_.get_executor(), std::chrono::milliseconds(20)};
    Gallery gallery_;
    EventEndpoints endpoints_;
    net::Router router_;
    asio::io_context client_io_;
    std::unique_ptr<net::Server> server_;
    std::thread thread_;
};

TEST_F(EndpointsTest, SeatsWaitingForTheirSocketAreLimitedPerAddress) {
    for (int i = 0; i < 10; ++i) {  // EVENT_MAX_PENDING_SEATS_PER_IP
        Seat(R"({"playerId":"p","nickname":"n"})");
    }
    auto res = Post("/matchmake/join/gallery_room", R"({"playerId":"p","nickname":"n"})");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.Json().at("code").as_int64(), 4211);
    EXPECT_NE(
        std::string(res.Json().at("error").as_string()).find("from this address"),
        std::string::npos);
    EXPECT_FALSE(res.Json().as_object().contains("sessionId"));
}

TEST_F(EndpointsTest, MatchmakingAnswersAsTheOriginal) {
    auto res = Post("/matchmake/join/gallery_room", R"({"playerId":"player-a","nickname":"A"})");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.Header("content-type"), "application/json");
    EXPECT_EQ(res.Header("access-control-allow-origin"), kOrigin);
    EXPECT_EQ(res.Header("access-control-allow-credentials"), "true");
    auto room = res.Json().at("room").as_object();
    EXPECT_EQ(room.at("roomId"), "room1");
    EXPECT_EQ(room.at("processId"), "proc1");
    EXPECT_EQ(room.at("name"), "gallery_room");
    EXPECT_EQ(room.at("clients"), 1);
    EXPECT_TRUE(room.at("maxClients").is_null());
    EXPECT_FALSE(room.contains("publicAddress"));

    auto unknown = Post("/matchmake/join/no_such_room", "{}");
    EXPECT_EQ(unknown.status, 200);
    EXPECT_EQ(unknown.Json().at("code"), 4210);
    EXPECT_EQ(unknown.Json().at("error"), "provided room name \"no_such_room\" not defined");
    EXPECT_EQ(Post("/matchmake/bogusMethod/gallery_room", "{}").Json().at("code"), 4210);
    EXPECT_EQ(Post("/matchmake/joinById/doesnotexist", "{}").Json().at("code"), 4212);
    EXPECT_EQ(
        Post("/matchmake/reconnect/room1", R"({"reconnectionToken":"nope"})").Json().at("code"),
        4214);
    auto not_json = Post("/matchmake/join/gallery_room", "not json");
    EXPECT_TRUE(not_json.Json().as_object().contains("error"));

    auto preflight = HttpCall(
        server_->Port(), net::http::verb::options, "/matchmake/join/gallery_room",
        {{"Origin", kOrigin},
         {"Access-Control-Request-Method", "POST"},
         {"Access-Control-Request-Headers", "content-type"}});
    EXPECT_EQ(preflight.status, 204);
    EXPECT_EQ(preflight.Header("access-control-allow-origin"), kOrigin);

    auto listing = HttpCall(server_->Port(), net::http::verb::get, "/matchmake/gallery_room");
    EXPECT_EQ(listing.Json().as_array().size(), 1u);
    EXPECT_EQ(HttpCall(server_->Port(), net::http::verb::get, "/health").status, 200);
}

TEST_F(EndpointsTest, TwoClientsSeeEachOtherAndChat) {
    std::string sa;
    auto a = Joined("player-a", "Alice", &sa);
    auto b = Joined("player-b", "하통수");
    // A learns about B from a patch.
    for (;;) {
        auto state = colyseus::DecodeState(ReadCode(*a, colyseus::Code::kRoomStatePatch));
        ASSERT_TRUE(state.ok());
        if (!state->ops.empty() && state->ops.back().player.nickname == "하통수") {
            break;
        }
    }
    Write(*a, ChatFrame("hello"));
    auto at_b = ReadChat(*b);
    EXPECT_EQ(at_b.session_id, sa);
    EXPECT_EQ(at_b.player_id, "player-a");
    EXPECT_EQ(at_b.nickname, "Alice");
    EXPECT_EQ(at_b.message_msgpack, "\xa5hello");
    EXPECT_EQ(ReadChat(*a).message_msgpack, "\xa5hello");  // the sender too

    Write(*b, "\x0c");  // LEAVE_ROOM
    EXPECT_EQ(CloseCode(*b), 4000);
    for (;;) {
        auto state = colyseus::DecodeState(ReadCode(*a, colyseus::Code::kRoomStatePatch));
        ASSERT_TRUE(state.ok());
        if (!state->ops.empty() && state->ops.back().kind == MapOpKind::kDelete) {
            break;
        }
    }
}

TEST_F(EndpointsTest, BadFramesAreIgnoredAndTheConnectionStays) {
    auto a = Joined("player-a", "Alice");
    Write(*a, "\xde\xad\xbe\xef garbage");  // garbage bytes
    Write(*a, "\x42");                      // unknown protocol code
    Write(
        *a, std::string(
                "\x0d\xb1"
                "clientChatMessage"
                "\xd9\x3b"
                "abc",
                24));  // truncated
    Write(
        *a, std::string(
                "\x0d\xb1"
                "clientChatMessage"
                "\x2a",
                20));  // a number
    Write(
        *a, std::string(
                "\x0d\xb1"
                "clientChatMessage"
                "\xa2\xff\xfe",
                22));                             // bad UTF-8
    Write(*a, ChatFrame(std::string(501, 'x')));  // too long
    Write(*a, ChatFrame(""));                     // empty
    Write(*a, ChatFrame("still here"));
    EXPECT_EQ(ReadChat(*a).message_msgpack, "\xaastill here");
    auto health = HttpCall(server_->Port(), net::http::verb::get, "/health").Json();
    EXPECT_EQ(health.at("malformedFrames"), 3);
    EXPECT_EQ(health.at("droppedInvalid"), 3);
    EXPECT_EQ(health.at("droppedTooLong"), 1);
}

// Garbage is ignored a few times (above), but a connection that keeps sending it is closed.
TEST_F(EndpointsTest, ManyMalformedFramesClose1008) {
    auto a = Joined("player-a", "Alice");
    auto b = Joined("player-b", "Bob");
    for (int i = 0; i < 11; ++i) {  // EndpointOptions::max_malformed_frames = 10
        Write(*a, "\xde\xad\xbe\xef");
    }
    EXPECT_EQ(CloseCode(*a), kClosePolicyViolation);
    Write(*b, ChatFrame("bob stays"));
    EXPECT_EQ(
        ReadChat(*b).message_msgpack,
        "\xa9"
        "bob stays");
}

// Every frame costs the room's lock: a connection sending far more than any client would (here
// 200 acknowledgements at once, over the burst of 40) is closed; the others are not.
TEST_F(EndpointsTest, AFloodOfFramesCloses1008) {
    auto a = Joined("player-a", "Alice");
    auto b = Joined("player-b", "Bob");
    for (int i = 0; i < 200; ++i) {
        Write(*a, "\x0a");
    }
    EXPECT_EQ(CloseCode(*a), kClosePolicyViolation);
    Write(*b, ChatFrame("bob stays"));
    EXPECT_EQ(
        ReadChat(*b).message_msgpack,
        "\xa9"
        "bob stays");
}

TEST_F(EndpointsTest, FrameOverTheLimitCloses1009) {
    auto a = Joined("player-a", "Alice");
    Write(*a, ChatFrame(std::string(5000, 'x')));
    EXPECT_EQ(CloseCode(*a), 1009);
}

TEST_F(EndpointsTest, UnknownTypeCloses4002WithTheReason) {
    auto a = Joined("player-a", "Alice");
    std::string frame = "\x0d";
    colyseus::PutSchemaString(frame, "noSuchType");
    Write(*a, frame);
    EXPECT_EQ(CloseCode(*a), 4002);
    EXPECT_EQ(a->reason().reason, "onMessage for \"noSuchType\" not registered.");
}

TEST_F(EndpointsTest, SeatProblemsGetErrorAndClose4002) {
    auto expect_refused = [this](std::unique_ptr<Client> client) {
        auto error = colyseus::DecodeError(Read(*client));
        ASSERT_TRUE(error.ok());
        EXPECT_EQ(error->first, 0);
        EXPECT_EQ(error->second, "seat reservation expired.");
        EXPECT_EQ(CloseCode(*client), 4002);
    };
    expect_refused(Open("wrong-seat"));
    std::string session = Seat(R"({"playerId":"p","nickname":"n"})");
    auto first = Open(session);
    Read(*first);
    expect_refused(Open(session));  // reused seat
    std::string late = Seat(R"({"playerId":"p","nickname":"n"})");
    clock_.Advance(16s);
    expect_refused(Open(late));  // expired seat
    // A socket for another room id.
    std::string other = Seat(R"({"playerId":"p","nickname":"n"})");
    auto client = std::make_unique<Client>(client_io_);
    client->next_layer().connect({asio::ip::make_address("127.0.0.1"), server_->Port()});
    client->handshake("127.0.0.1", "/proc1/otherroom?sessionId=" + other);
    expect_refused(std::move(client));
}

TEST_F(EndpointsTest, JoinWithoutNicknameOrWithNumbersIsClosedWithoutStatus) {
    for (std::string body :
         {R"({"playerId":"player-x"})", R"({})", R"({"playerId":123,"nickname":"num"})"}) {
        auto client = Open(Seat(body));
        EXPECT_EQ(CloseCode(*client), static_cast<int>(websocket::close_code::none)) << body;
    }
    EXPECT_EQ(gallery_.Clients(), 0u);
}

TEST_F(EndpointsTest, LateJoinerReceivesTheHistory) {
    auto a = Joined("player-a", "Alice");
    Write(*a, ChatFrame("first"));
    ReadChat(*a);
    Write(*a, ChatFrame("second"));
    ReadChat(*a);
    auto b = Joined("player-b", "Bob");
    EXPECT_EQ(
        ReadChat(*b).message_msgpack,
        "\xa5"
        "first");
    EXPECT_EQ(
        ReadChat(*b).message_msgpack,
        "\xa6"
        "second");
}

TEST_F(EndpointsTest, ReconnectWithinTheGraceKeepsTheSession) {
    std::string session;
    std::string token;
    auto a = Joined("player-a", "Alice", &session, &token);
    beast::get_lowest_layer(*a).close();  // the connection is lost, no LEAVE_ROOM
    auto res = Post("/matchmake/reconnect/room1", R"({"reconnectionToken":")" + token + R"("})");
    ASSERT_EQ(res.status, 200);
    for (int i = 0; i < 200 && res.Json().as_object().contains("code"); ++i) {
        // The server may not have noticed the lost socket yet.
        std::this_thread::sleep_for(10ms);
        res = Post("/matchmake/reconnect/room1", R"({"reconnectionToken":")" + token + R"("})");
    }
    ASSERT_EQ(std::string(res.Json().at("sessionId").as_string()), session);
    auto again = Open(session, "&reconnectionToken=" + token);
    EXPECT_TRUE(colyseus::DecodeJoinRoomToken(Read(*again)).ok());
    Write(*again, "\x0a");
    auto state = colyseus::DecodeState(ReadCode(*again, colyseus::Code::kRoomState));
    ASSERT_TRUE(state.ok());
    ASSERT_EQ(state->ops.size(), 1u);
    EXPECT_EQ(state->ops[0].player.session_id, session);
}

TEST_F(EndpointsTest, AdminKicksWithAnAccessToken) {
    std::string session;
    auto a = Joined("player-a", "Alice", &session);
    auto kick = [this, &session](const std::string& token) {
        return HttpCall(
                   server_->Port(), net::http::verb::post, "/admin/sessions/" + session + "/kick",
                   {{"Authorization", "Bearer " + token}}, "")
            .status;
    };
    EXPECT_EQ(kick("forged"), 401);
    EXPECT_EQ(kick(Token("user")), 403);
    EXPECT_EQ(kick(Token("admin")), 200);
    EXPECT_EQ(CloseCode(*a), 4000);
    EXPECT_EQ(kick(Token("admin")), 404);
    // The kicked client's address may not come back for EVENT_KICK_BAN_MS.
    auto again = Post("/matchmake/join/gallery_room", R"({"playerId":"player-a","nickname":"A"})");
    EXPECT_EQ(again.Json().at("code").as_int64(), 4215);
    EXPECT_FALSE(again.Json().as_object().contains("sessionId"));
}

TEST_F(EndpointsTest, ShutdownSends4000ToEveryoneAndRefusesMatchmaking) {
    auto a = Joined("player-a", "Alice");
    auto b = Joined("player-b", "Bob");
    endpoints_.Stop();  // what main's drain step does
    gallery_.CloseAll();
    EXPECT_EQ(CloseCode(*a), 4000);
    EXPECT_EQ(CloseCode(*b), 4000);
    auto late = Post("/matchmake/join/gallery_room", R"({"playerId":"p","nickname":"n"})");
    EXPECT_EQ(late.status, 503);
    EXPECT_TRUE(late.body.empty());
}

TEST_F(EndpointsTest, ThousandJoinLeaveCyclesLeaveNothingBehind) {
    // Warm up once so lazily created things (resolver, logger) are not counted.
    {
        auto c = Joined("p", "n");
        Write(*c, "\x0c");
        CloseCode(*c);
    }
    for (int i = 0; i < 200 && sockets_.Size() > 0; ++i) {
        std::this_thread::sleep_for(5ms);
    }
    std::size_t fds = OpenFds();
    for (int i = 0; i < 1000; ++i) {
        auto c = Joined("p", "n");
        Write(*c, "\x0c");
        ASSERT_EQ(CloseCode(*c), 4000);
    }
    for (int i = 0; i < 400 && (sockets_.Size() > 0 || server_->OpenConnections() > 0); ++i) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(sockets_.Size(), 0u);
    EXPECT_EQ(gallery_.Clients(), 0u);
    EXPECT_LE(OpenFds(), fds + 2);
}

}  // namespace
}  // namespace hatongsu::event::http
