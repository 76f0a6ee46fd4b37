// WebSocket endpoints on the HTTP server, driven by a real Beast websocket client over loopback.
#include "hatongsu/net/websocket.h"

#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "hatongsu/net/server.h"
#include "hatongsu/testkit/http_client.h"

namespace hatongsu::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Client = websocket::stream<tcp::socket>;

// What the handlers saw, for the test thread.
struct Observed {
    std::mutex mu;
    std::vector<absl::StatusCode> read_errors;
    std::promise<absl::StatusCode> first_error;
    bool first_error_set = false;

    void Error(absl::StatusCode code) {
        std::lock_guard lock(mu);
        read_errors.push_back(code);
        if (!first_error_set) {
            first_error_set = true;
            first_error.set_value(code);
        }
    }
};

class WebSocketTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add(http::verb::get, "/health", [](Context& ctx) -> asio::awaitable<Response> {
            co_return Text(ctx, http::status::ok, "ok");
        });
        WebSocketOptions options;
        options.max_message_size = 1024;
        options.send_queue_limit = 256 * 1024;
        // "close:<code>" closes with that code; "flood" queues far more than the send queue
        // holds; "big" sends one message larger than it; anything else is echoed.
        router_.AddWebSocket(
            "/echo/:room",
            [this](Context& ctx, std::shared_ptr<WebSocket> ws) -> asio::awaitable<void> {
                std::string room = ctx.params.at("room");
                for (;;) {
                    auto message = co_await ws->Read();
                    if (!message.ok()) {
                        observed_.Error(message.status().code());
                        co_return;
                    }
                    if (message->starts_with("close:")) {
                        ws->Close(static_cast<uint16_t>(std::stoi(message->substr(6))));
                    } else if (*message == "big") {  // one message over the queue limit
                        ws->Send(std::make_shared<const std::string>(300 * 1024, 'b'));
                        ws->Send(std::make_shared<const std::string>("behind it"));
                    } else if (*message == "flood") {
                        auto chunk = std::make_shared<const std::string>(64 * 1024, 'x');
                        for (int i = 0; i < 1000; ++i) {
                            ws->Send(chunk);
                        }
                    } else {
                        ws->Send(std::make_shared<const std::string>(room + ":" + *message));
                    }
                }
            },
            options);
        WebSocketOptions pinging = options;
        pinging.ping_interval = std::chrono::milliseconds(20);
        pinging.max_missed_pongs = 2;
        router_.AddWebSocket(
            "/pinged",
            [this](Context&, std::shared_ptr<WebSocket> ws) -> asio::awaitable<void> {
                for (;;) {
                    auto message = co_await ws->Read();
                    if (!message.ok()) {
                        observed_.Error(message.status().code());
                        co_return;
                    }
                    ws->Send(std::make_shared<const std::string>(*message));
                }
            },
            pinging);
        // A queue that holds a flood, and writes that must complete within 50 ms.
        WebSocketOptions deep = options;
        deep.send_queue_limit = 128 * 1024 * 1024;
        deep.write_timeout = std::chrono::milliseconds(50);
        router_.AddWebSocket(
            "/deep",
            [this](Context&, std::shared_ptr<WebSocket> ws) -> asio::awaitable<void> {
                auto chunk = std::make_shared<const std::string>(64 * 1024, 'x');
                for (;;) {
                    auto message = co_await ws->Read();
                    if (!message.ok()) {
                        observed_.Error(message.status().code());
                        co_return;
                    }
                    for (int i = 0; i < 1000; ++i) {  // 64 MB, far more than socket buffers
                        ws->Send(chunk);
                    }
                }
            },
            deep);
        server_ = std::make_unique<Server>(io_, ServerOptions{}, router_);
        server_->Start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        server_->Abort();
        io_.stop();
        thread_.join();
    }

    std::unique_ptr<Client> Connect(const std::string& target) {
        auto client = std::make_unique<Client>(client_io_);
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), server_->Port());
        client->next_layer().connect(ep);
        client->handshake("127.0.0.1", target);
        client->binary(true);
        return client;
    }

    std::string ReadText(Client& client) {
        beast::flat_buffer buffer;
        client.read(buffer);
        return beast::buffers_to_string(buffer.data());
    }

    asio::io_context io_;
    asio::io_context client_io_;
    Router router_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    Observed observed_;
};

TEST_F(WebSocketTest, HttpRoutesAndWebSocketShareOnePort) {
    auto client = Connect("/echo/lobby?x=1");
    client->write(asio::buffer(std::string("hi")));
    EXPECT_EQ(ReadText(*client), "lobby:hi");
    EXPECT_TRUE(client->got_binary());

    auto health = testkit::HttpCall(server_->Port(), http::verb::get, "/health");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok");
}

TEST_F(WebSocketTest, ConnectionUpgradeWithoutUpgradeWebsocketIsPlainHttp) {
    // The production proxy sends `Connection: upgrade` on every request (spec 2.5).
    auto health = testkit::HttpCall(
        server_->Port(), http::verb::get, "/health", {{"Connection", "upgrade"}, {"Upgrade", ""}});
    EXPECT_EQ(health.status, 200);
}

TEST_F(WebSocketTest, UpgradeOnUnknownPathIsRefused) {
    Client client(client_io_);
    client.next_layer().connect({asio::ip::make_address("127.0.0.1"), server_->Port()});
    beast::error_code ec;
    client.handshake("127.0.0.1", "/nowhere", ec);
    EXPECT_EQ(ec, websocket::error::upgrade_declined);
}

TEST_F(WebSocketTest, NoCompressionIsNegotiated) {
    auto client = std::make_unique<Client>(client_io_);
    websocket::permessage_deflate pmd;
    pmd.client_enable = true;
    client->set_option(pmd);
    client->next_layer().connect({asio::ip::make_address("127.0.0.1"), server_->Port()});
    websocket::response_type res;
    client->handshake(res, "127.0.0.1", "/echo/a");
    EXPECT_EQ(res.count(http::field::sec_websocket_extensions), 0u);
}

TEST_F(WebSocketTest, MessageOverTheLimitClosesWith1009) {
    auto client = Connect("/echo/a");
    client->write(asio::buffer(std::string(2000, 'y')));
    beast::flat_buffer buffer;
    beast::error_code ec;
    client->read(buffer, ec);
    // The close frame arrived with 1009. (The client's own teardown after it may fail with
    // ENOTCONN, depending on how the FINs cross on loopback: that is the client's business.)
    EXPECT_TRUE(ec == websocket::error::closed || ec == asio::error::not_connected) << ec.message();
    EXPECT_EQ(client->reason().code, websocket::close_code::too_big);
    EXPECT_EQ(observed_.first_error.get_future().get(), absl::StatusCode::kResourceExhausted);
}

TEST_F(WebSocketTest, CloseSendsTheGivenCodeAfterQueuedMessages) {
    auto client = Connect("/echo/a");
    client->write(asio::buffer(std::string("before")));
    client->write(asio::buffer(std::string("close:4000")));
    EXPECT_EQ(ReadText(*client), "a:before");
    beast::flat_buffer buffer;
    beast::error_code ec;
    client->read(buffer, ec);
    EXPECT_EQ(ec, websocket::error::closed);
    EXPECT_EQ(client->reason().code, 4000);
}

TEST_F(WebSocketTest, CloseWithoutStatusSendsAnEmptyCloseFrame) {
    auto client = Connect("/echo/a");
    client->write(asio::buffer(std::string("close:0")));
    beast::flat_buffer buffer;
    beast::error_code ec;
    client->read(buffer, ec);
    EXPECT_EQ(ec, websocket::error::closed);
    EXPECT_EQ(client->reason().code, websocket::close_code::none);  // the peer sees 1005
}

TEST_F(WebSocketTest, PeerCloseEndsTheHandlersRead) {
    auto client = Connect("/echo/a");
    client->close(websocket::close_reason(4000));
    EXPECT_EQ(observed_.first_error.get_future().get(), absl::StatusCode::kUnavailable);
}

TEST_F(WebSocketTest, SlowReaderIsDroppedAndOthersAreNotSlowed) {
    auto slow = Connect("/echo/slow");
    auto other = Connect("/echo/fast");
    slow->write(asio::buffer(std::string("flood")));  // 64 MB queued for a peer that never reads
    // The slow peer's queue overflows (256 KiB): it is disconnected, nothing waits for it.
    EXPECT_EQ(observed_.first_error.get_future().get(), absl::StatusCode::kUnavailable);
    for (int i = 0; i < 20; ++i) {
        other->write(asio::buffer(std::to_string(i)));
        EXPECT_EQ(ReadText(*other), "fast:" + std::to_string(i));
    }
    // What reached the slow peer before the drop is at most the queue plus the socket buffers;
    // then its connection ends.
    beast::error_code ec;
    std::size_t received = 0;
    for (;;) {
        beast::flat_buffer buffer;
        slow->read(buffer, ec);
        if (ec) {
            break;
        }
        received += buffer.size();
    }
    EXPECT_LT(received, 64u * 1024 * 1000);
}

TEST_F(WebSocketTest, OneMessageLargerThanTheQueueLimitIsSentWhenNothingElseWaits) {
    auto client = Connect("/echo/a");
    client->write(asio::buffer(std::string("big")));
    EXPECT_EQ(ReadText(*client), std::string(300 * 1024, 'b'));
    EXPECT_EQ(ReadText(*client), "behind it");  // queued while the big one waited
    client->write(asio::buffer(std::string("after")));
    EXPECT_EQ(ReadText(*client), "a:after");
}

TEST_F(WebSocketTest, PingsAreSentAndAnsweredPeersStay) {
    auto client = Connect("/pinged");
    int pings = 0;
    client->control_callback([&pings](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::ping) {
            ++pings;
        }
    });
    // Reading answers pings automatically; after several pings the connection still echoes.
    int round = 0;
    while (pings < 5) {
        client->write(asio::buffer(std::to_string(round)));
        EXPECT_EQ(ReadText(*client), std::to_string(round));
        ++round;
    }
    client->write(asio::buffer(std::string("still here")));
    EXPECT_EQ(ReadText(*client), "still here");
}

TEST_F(WebSocketTest, SilentPeerIsDroppedWithoutCloseFrame) {
    auto client = Connect("/pinged");  // never reads, so never answers a ping
    EXPECT_EQ(observed_.first_error.get_future().get(), absl::StatusCode::kUnavailable);
    beast::error_code ec;
    for (;;) {  // the pings it was sent, then the end of the TCP stream: no close frame
        beast::flat_buffer buffer;
        client->read(buffer, ec);
        if (ec) {
            break;
        }
    }
    EXPECT_NE(ec, websocket::error::closed);
}

// A peer that reads nothing but sends pongs of its own (allowed as heartbeats by RFC 6455) used to
// reset the missed count and stay forever; only the answer to our latest ping counts now.
TEST_F(WebSocketTest, UnsolicitedPongsDoNotKeepASilentPeerAlive) {
    auto client = Connect("/pinged");  // never reads, so never answers a ping
    auto dropped = observed_.first_error.get_future();
    beast::error_code ec;
    // A bound for the old behaviour (never dropped), far above the ~60 ms the drop takes.
    for (int i = 0; i < 500 && !ec; ++i) {
        client->pong("1", ec);
        if (dropped.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) {
            break;
        }
    }
    ASSERT_EQ(dropped.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_EQ(dropped.get(), absl::StatusCode::kUnavailable);
}

// Within the send queue limit, but the peer does not read: the blocked write drops it.
TEST_F(WebSocketTest, WriteThatDoesNotCompleteDropsTheSocket) {
    auto client = Connect("/deep");
    client->write(asio::buffer(std::string("flood")));
    auto dropped = observed_.first_error.get_future();
    // A bound for the old behaviour (never dropped), far above write_timeout.
    ASSERT_EQ(dropped.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    EXPECT_EQ(dropped.get(), absl::StatusCode::kUnavailable);
}

// Beast answers every ping with a pong, and our writes "complete" at once (they are batched), so
// a peer that floods pings and reads nothing used to make the server hold a pong for each until
// the write timeout (15 s here). The pongs count against the send queue limit now.
TEST_F(WebSocketTest, APingFloodFromAPeerThatDoesNotReadIsDropped) {
    auto client = Connect("/echo/a");  // never reads
    auto dropped = observed_.first_error.get_future();
    websocket::ping_data payload;
    payload.assign(125, 'p');
    beast::error_code ec;
    for (int i = 0; i < 200000 && !ec; ++i) {  // 26 MB of pings, far past the socket buffers
        client->ping(payload, ec);
        if (i % 1000 == 0 &&
            dropped.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
            break;
        }
    }
    // Far below the write timeout, which is what ended it before.
    ASSERT_EQ(dropped.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(dropped.get(), absl::StatusCode::kUnavailable);
}

TEST_F(WebSocketTest, ManyConnectCyclesLeaveNothingOpen) {
    for (int i = 0; i < 200; ++i) {
        auto client = Connect("/echo/a");
        client->write(asio::buffer(std::string("x")));
        EXPECT_EQ(ReadText(*client), "a:x");
        client->close(websocket::close_reason(1000));
    }
    // The server notices each close; nothing stays counted.
    for (int i = 0; i < 1000 && server_->OpenConnections() > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(server_->OpenConnections(), 0u);
}

}  // namespace
}  // namespace hatongsu::net
