// Server Endpoint and client Endpoints in one process over 127.0.0.1 UDP: the whole stack
// (ICE-lite, DTLS, SCTP, DCEP) with real sockets. Waits are bounded by a cap so a broken build
// fails instead of hanging; nothing is timed.
#include "hatongsu/webrtc/endpoint.h"

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"
#include "hatongsu/webrtc/sdp.h"
#include "hatongsu/webrtc/stun.h"

namespace hatongsu::webrtc {
namespace {

namespace asio = boost::asio;
using ::hatongsu::testkit::IsOk;
using ::hatongsu::testkit::StatusIs;
using namespace std::chrono_literals;

struct Recorder {
    std::vector<PeerId> opened;
    std::vector<std::tuple<PeerId, std::string, bool>> messages;
    std::vector<std::pair<PeerId, CloseReason>> closed;
    // Runs inside on_message, after recording (to call back into the Endpoint).
    std::function<void(const PeerId&)> after_message;
    std::vector<std::size_t> read_done;  // messages.size() at each on_read_done

    PeerEvents Events() {
        return {
            .on_open = [this](const PeerId& id) { opened.push_back(id); },
            .on_message =
                [this](const PeerId& id, std::string_view data, bool binary) {
                    messages.emplace_back(id, std::string(data), binary);
                    if (after_message) {
                        after_message(id);
                    }
                },
            .on_closed = [this](const PeerId& id, CloseReason r) { closed.emplace_back(id, r); },
            .on_read_done = [this] { read_done.push_back(messages.size()); },
        };
    }
    bool Opened(const PeerId& id) const {
        return std::find(opened.begin(), opened.end(), id) != opened.end();
    }
    std::optional<CloseReason> ClosedWith(const PeerId& id) const {
        for (const auto& [peer, reason] : closed) {
            if (peer == id) {
                return reason;
            }
        }
        return std::nullopt;
    }
};

EndpointOptions LoopbackOptions() {
    EndpointOptions o;
    o.bind_address = "127.0.0.1";
    return o;
}

class EndpointTest : public ::testing::Test {
protected:
    void StartServer(EndpointOptions options = LoopbackOptions()) {
        auto ep = Endpoint::Start(io_.get_executor(), options, server_events_.Events());
        ASSERT_THAT(ep, IsOk());
        server_ = std::move(*ep);
    }
    void StartClient(EndpointOptions options = LoopbackOptions()) {
        auto ep = Endpoint::Start(io_.get_executor(), options, client_events_.Events());
        ASSERT_THAT(ep, IsOk());
        client_ = std::move(*ep);
    }
    template <typename Pred>
    bool RunUntil(Pred done, std::chrono::milliseconds cap = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + cap;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            io_.run_for(5ms);
        }
        return done();
    }
    void Connect(const PeerId& id, const ChannelOptions& channel = {}) {
        auto offer = server_->CreatePeer(id, channel);
        ASSERT_THAT(offer, IsOk());
        auto answer = client_->AcceptOffer(id, offer->sdp);
        ASSERT_THAT(answer, IsOk());
        ASSERT_THAT(server_->SetRemoteAnswer(id, *answer), IsOk());
        ASSERT_TRUE(RunUntil([&] {
            return server_events_.Opened(id) && client_events_.Opened(id);
        })) << "the data channel did not open";
    }

    asio::io_context io_;
    Recorder server_events_;
    Recorder client_events_;
    std::unique_ptr<Endpoint> server_;
    std::unique_ptr<Endpoint> client_;
};

TEST_F(EndpointTest, OpensTheChannelAndCarriesTextAndBinaryBothWays) {
    StartServer();
    StartClient();
    Connect("p1");
    EXPECT_TRUE(server_->IsOpen("p1"));
    ASSERT_THAT(server_->Send("p1", "hello client", false), IsOk());
    ASSERT_THAT(server_->Send("p1", std::string("\x00\xff\x01", 3), true), IsOk());
    ASSERT_THAT(client_->Send("p1", "hello server", false), IsOk());
    ASSERT_THAT(client_->Send("p1", std::string("\x02\x00", 2), true), IsOk());
    ASSERT_THAT(client_->Send("p1", "", false), IsOk());
    ASSERT_THAT(client_->Send("p1", "", true), IsOk());
    ASSERT_TRUE(RunUntil([&] {
        return client_events_.messages.size() == 2 && server_events_.messages.size() == 4;
    }));
    using M = std::tuple<PeerId, std::string, bool>;
    EXPECT_THAT(
        client_events_.messages,
        ::testing::UnorderedElementsAre(
            M{"p1", "hello client", false}, M{"p1", std::string("\x00\xff\x01", 3), true}));
    EXPECT_THAT(
        server_events_.messages,
        ::testing::UnorderedElementsAre(
            M{"p1", "hello server", false}, M{"p1", std::string("\x02\x00", 2), true},
            M{"p1", "", false}, M{"p1", "", true}));
    EXPECT_EQ(server_->Counters().stun_bad_integrity, 0u);
    EXPECT_GT(server_->Counters().stun_answered, 0u);
}

TEST_F(EndpointTest, AReadTurnEndsAfterTheEventsItFired) {
    StartServer();
    StartClient();
    Connect("p1");
    for (int i = 0; i < 5; ++i) {
        ASSERT_THAT(client_->Send("p1", "m" + std::to_string(i), false), IsOk());
        ASSERT_THAT(server_->Send("p1", "r" + std::to_string(i), false), IsOk());
    }
    // One handler at a time: the handler that read the last message also ended its turn after
    // it (both roles: the server's shared socket and the client's own).
    std::optional<bool> server_done_in_turn;
    std::optional<bool> client_done_in_turn;
    auto ended_after_last = [](const Recorder& r) {
        return !r.read_done.empty() && r.read_done.back() == 5;
    };
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while ((!server_done_in_turn || !client_done_in_turn) &&
           std::chrono::steady_clock::now() < deadline) {
        io_.run_one_for(5ms);
        if (!server_done_in_turn && server_events_.messages.size() == 5) {
            server_done_in_turn = ended_after_last(server_events_);
        }
        if (!client_done_in_turn && client_events_.messages.size() == 5) {
            client_done_in_turn = ended_after_last(client_events_);
        }
    }
    EXPECT_EQ(server_done_in_turn, std::optional<bool>(true));
    EXPECT_EQ(client_done_in_turn, std::optional<bool>(true));
}

TEST_F(EndpointTest, WorksWhenTheAnswerMakesTheServerTheDtlsClient) {
    StartServer();
    EndpointOptions client_options = LoopbackOptions();
    client_options.answer_passive = true;
    StartClient(client_options);
    auto offer = server_->CreatePeer("r", {});
    ASSERT_THAT(offer, IsOk());
    auto answer = client_->AcceptOffer("r", offer->sdp);
    ASSERT_THAT(answer, IsOk());
    EXPECT_THAT(*answer, ::testing::HasSubstr("a=setup:passive\r\n"));
    ASSERT_THAT(server_->SetRemoteAnswer("r", *answer), IsOk());
    ASSERT_TRUE(RunUntil([&] { return server_events_.Opened("r") && client_events_.Opened("r"); }));
    ASSERT_THAT(server_->Send("r", "to the DTLS server", false), IsOk());
    ASSERT_THAT(client_->Send("r", "to the DTLS client", false), IsOk());
    ASSERT_TRUE(RunUntil([&] {
        return client_events_.messages.size() == 1 && server_events_.messages.size() == 1;
    }));
    EXPECT_EQ(std::get<1>(client_events_.messages[0]), "to the DTLS server");
    EXPECT_EQ(std::get<1>(server_events_.messages[0]), "to the DTLS client");
}

TEST_F(EndpointTest, OpensWhenTheClientHelloBeatsTheAnswer) {
    StartServer();
    StartClient();
    auto offer = server_->CreatePeer("early", {});
    ASSERT_THAT(offer, IsOk());
    auto answer = client_->AcceptOffer("early", offer->sdp);
    ASSERT_THAT(answer, IsOk());
    // ICE and the DTLS handshake run before the answer reaches the server (geckos posts it over
    // HTTP while Chromium is already connecting).
    ASSERT_TRUE(RunUntil([&] { return server_->Counters().stun_answered >= 1; }));
    io_.run_for(300ms);
    EXPECT_FALSE(server_events_.Opened("early"));
    ASSERT_THAT(server_->SetRemoteAnswer("early", *answer), IsOk());
    ASSERT_TRUE(
        RunUntil([&] { return server_events_.Opened("early") && client_events_.Opened("early"); }));
}

TEST_F(EndpointTest, ClosingFromInsideAnEventIsSafe) {
    StartServer();
    StartClient();
    Connect("c");
    server_events_.after_message = [&](const PeerId& id) {
        server_->Close(id);
        EXPECT_THAT(server_->Send(id, "after close", false), StatusIs(absl::StatusCode::kNotFound));
    };
    ASSERT_THAT(client_->Send("c", "one", false), IsOk());
    ASSERT_THAT(client_->Send("c", "two", false), IsOk());
    ASSERT_TRUE(RunUntil([&] { return client_events_.ClosedWith("c").has_value(); }));
    EXPECT_EQ(server_events_.ClosedWith("c"), CloseReason::kLocal);
    EXPECT_EQ(server_events_.closed.size(), 1u);
    EXPECT_EQ(server_->PeerCount(), 0u);
}

TEST_F(EndpointTest, StoppingFromInsideAnEventIsSafe) {
    StartServer();
    StartClient();
    Connect("s");
    server_events_.after_message = [&](const PeerId&) {
        server_->Stop();
    };
    ASSERT_THAT(client_->Send("s", "one", false), IsOk());
    ASSERT_THAT(client_->Send("s", "two", false), IsOk());
    ASSERT_TRUE(RunUntil([&] { return !server_events_.messages.empty(); }));
    io_.run_for(50ms);
    EXPECT_EQ(server_events_.messages.size(), 1u);  // nothing is delivered after Stop
    EXPECT_EQ(server_->PeerCount(), 0u);
    EXPECT_TRUE(server_events_.closed.empty());  // Stop fires no events
}

TEST_F(EndpointTest, CarriesA64KiBMessageBothWaysOnAReliableChannel) {
    StartServer();
    StartClient();
    Connect("big", {.label = "geckos.io", .ordered = true, .max_retransmits = std::nullopt});
    std::string big(64 * 1024, '\0');
    for (size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>(i * 31 % 251);
    }
    ASSERT_THAT(server_->Send("big", big, true), IsOk());
    ASSERT_THAT(client_->Send("big", big, true), IsOk());
    ASSERT_TRUE(RunUntil([&] {
        return client_events_.messages.size() == 1 && server_events_.messages.size() == 1;
    }));
    EXPECT_EQ(std::get<1>(client_events_.messages[0]), big);
    EXPECT_EQ(std::get<1>(server_events_.messages[0]), big);
}

TEST_F(EndpointTest, SendManyBundlesABurstIntoFullPacketsAndKeepsTheOrder) {
    EndpointOptions options = LoopbackOptions();
    options.max_message_bytes = 4000;
    StartServer(options);
    StartClient();
    Connect("p", {.label = "geckos.io", .ordered = true, .max_retransmits = std::nullopt});
    std::vector<std::string> texts;
    std::vector<OutgoingMessage> burst;
    for (int i = 0; i < 60; ++i) {
        texts.push_back(
            std::to_string(i) + ":" + std::string(100, static_cast<char>('a' + i % 26)));
    }
    texts[30] = std::string(4001, 'x');  // over the limit: refused on its own, the rest go
    for (const auto& text : texts) {
        burst.push_back({text, false});
    }
    const uint64_t before = server_->Counters().datagrams_sent;
    auto results = server_->SendMany("p", burst);
    ASSERT_EQ(results.size(), texts.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        EXPECT_EQ(results[i].ok(), i != 30) << i;
    }
    ASSERT_TRUE(RunUntil([&] { return client_events_.messages.size() == 59; }));
    // Counted once they have left (datagrams go out after the call, in a batch).
    const uint64_t used = server_->Counters().datagrams_sent - before;
    std::vector<std::string> got;
    for (const auto& [peer, data, binary] : client_events_.messages) {
        got.push_back(data);
    }
    texts.erase(texts.begin() + 30);
    EXPECT_EQ(got, texts);
    // About 6 KB: a handful of ~1,100-byte packets, not one per message (60 one by one).
    EXPECT_GE(used, 5u);
    EXPECT_LE(used, 12u);
    EXPECT_EQ(server_->Counters().sent_dropped_too_large, 1u);
}

TEST_F(EndpointTest, TheInboundLimitIsAdvertisedAndDoesNotBoundWhatWeSend) {
    EndpointOptions options = LoopbackOptions();
    options.max_received_message_bytes = 1000;
    StartServer(options);
    StartClient();
    Connect("p", {.label = "geckos.io", .ordered = true, .max_retransmits = std::nullopt});
    // The client learned 1000 from our a=max-message-size: it refuses more.
    EXPECT_THAT(
        client_->Send("p", std::string(1001, 'x'), false),
        StatusIs(absl::StatusCode::kInvalidArgument));
    ASSERT_THAT(client_->Send("p", std::string(1000, 'y'), false), IsOk());
    ASSERT_THAT(server_->Send("p", std::string(20000, 'z'), false), IsOk());
    ASSERT_TRUE(RunUntil([&] {
        return server_events_.messages.size() == 1 && client_events_.messages.size() == 1;
    }));
    EXPECT_EQ(std::get<1>(server_events_.messages[0]), std::string(1000, 'y'));
    EXPECT_EQ(std::get<1>(client_events_.messages[0]).size(), 20000u);
}

TEST_F(EndpointTest, RefusesMessagesOverTheLimitAndCountsThem) {
    EndpointOptions options = LoopbackOptions();
    options.max_message_bytes = 1000;
    StartServer(options);
    StartClient();
    Connect("p");
    EXPECT_THAT(
        server_->Send("p", std::string(1001, 'x'), false),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_EQ(server_->Counters().sent_dropped_too_large, 1u);
    // The client learned 1000 from our a=max-message-size and refuses too.
    EXPECT_THAT(
        client_->Send("p", std::string(1001, 'x'), false),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(EndpointTest, GracefulCloseIsSeenByBothSides) {
    StartServer();
    StartClient();
    Connect("a");
    Connect("b");
    server_->Close("a");
    EXPECT_EQ(server_events_.ClosedWith("a"), CloseReason::kLocal);
    EXPECT_EQ(server_->PeerCount(), 1u);
    ASSERT_TRUE(RunUntil([&] { return client_events_.ClosedWith("a").has_value(); }));
    EXPECT_EQ(client_events_.ClosedWith("a"), CloseReason::kRemoteClosed);

    client_->Close("b");
    ASSERT_TRUE(RunUntil([&] { return server_events_.ClosedWith("b").has_value(); }));
    EXPECT_EQ(server_events_.ClosedWith("b"), CloseReason::kRemoteClosed);
    EXPECT_EQ(server_->PeerCount(), 0u);
    EXPECT_EQ(client_->PeerCount(), 0u);
    EXPECT_THAT(server_->Send("b", "gone", false), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EndpointTest, AVanishedPeerIsClosedByConsentTimeout) {
    EndpointOptions options = LoopbackOptions();
    options.consent_timeout = 300ms;
    StartServer(options);
    StartClient();
    Connect("v");
    client_->Stop();  // no close_notify, no ABORT: the process "died"
    ASSERT_TRUE(RunUntil([&] { return server_events_.ClosedWith("v").has_value(); }));
    EXPECT_EQ(server_events_.ClosedWith("v"), CloseReason::kConsentTimeout);
    EXPECT_EQ(server_->Counters().closed_consent_timeout, 1u);
    EXPECT_EQ(server_->PeerCount(), 0u);
}

TEST_F(EndpointTest, KeepaliveChecksKeepAnIdlePeerOpen) {
    EndpointOptions options = LoopbackOptions();
    options.consent_timeout = 400ms;
    StartServer(options);
    EndpointOptions client_options = LoopbackOptions();
    client_options.keepalive_interval = 100ms;
    StartClient(client_options);
    Connect("idle");
    const auto until = std::chrono::steady_clock::now() + 1200ms;
    RunUntil([&] { return std::chrono::steady_clock::now() > until; }, 2s);
    EXPECT_FALSE(server_events_.ClosedWith("idle").has_value());
    EXPECT_TRUE(server_->IsOpen("idle"));
}

TEST_F(EndpointTest, APeerThatNeverCompletesIsReaped) {
    EndpointOptions options = LoopbackOptions();
    options.open_timeout = 300ms;
    StartServer(options);
    ASSERT_THAT(server_->CreatePeer("never", {}), IsOk());
    EXPECT_EQ(server_->PeerCount(), 1u);
    ASSERT_TRUE(RunUntil([&] { return server_events_.ClosedWith("never").has_value(); }));
    EXPECT_EQ(server_events_.ClosedWith("never"), CloseReason::kOpenTimeout);
    EXPECT_EQ(server_->PeerCount(), 0u);
    EXPECT_EQ(server_->Counters().closed_open_timeout, 1u);
}

TEST_F(EndpointTest, AWrongFingerprintInTheAnswerClosesThePeer) {
    StartServer();
    StartClient();
    auto offer = server_->CreatePeer("f", {});
    ASSERT_THAT(offer, IsOk());
    auto answer = client_->AcceptOffer("f", offer->sdp);
    ASSERT_THAT(answer, IsOk());
    std::string forged = *answer;
    const size_t at = forged.find("a=fingerprint:sha-256 ") + 22;
    forged[at] = forged[at] == 'A' ? 'B' : 'A';
    ASSERT_THAT(server_->SetRemoteAnswer("f", forged), IsOk());
    ASSERT_TRUE(RunUntil([&] { return server_events_.ClosedWith("f").has_value(); }));
    EXPECT_EQ(server_events_.ClosedWith("f"), CloseReason::kFingerprintMismatch);
    EXPECT_EQ(server_->Counters().closed_fingerprint_mismatch, 1u);
    EXPECT_FALSE(server_events_.Opened("f"));
}

TEST_F(EndpointTest, AClientRefusesAServerWhoseCertificateIsNotInTheOffer) {
    StartServer();
    StartClient();
    auto offer = server_->CreatePeer("g", {});
    ASSERT_THAT(offer, IsOk());
    std::string forged = offer->sdp;
    const size_t at = forged.find("a=fingerprint:sha-256 ") + 22;
    forged[at] = forged[at] == 'A' ? 'B' : 'A';
    auto answer = client_->AcceptOffer("g", forged);
    ASSERT_THAT(answer, IsOk());
    ASSERT_THAT(server_->SetRemoteAnswer("g", *answer), IsOk());
    ASSERT_TRUE(RunUntil([&] { return client_events_.ClosedWith("g").has_value(); }));
    EXPECT_EQ(client_events_.ClosedWith("g"), CloseReason::kFingerprintMismatch);
}

TEST_F(EndpointTest, RefusesBadAnswersAndIds) {
    EndpointOptions options = LoopbackOptions();
    options.max_peers = 2;
    StartServer(options);
    ASSERT_THAT(server_->CreatePeer("x", {}), IsOk());
    EXPECT_THAT(server_->CreatePeer("x", {}), StatusIs(absl::StatusCode::kAlreadyExists));
    ASSERT_THAT(server_->CreatePeer("y", {}), IsOk());
    EXPECT_THAT(server_->CreatePeer("z", {}), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(
        server_->SetRemoteAnswer("nobody", "v=0\r\n"), StatusIs(absl::StatusCode::kNotFound));
    auto refused = server_->SetRemoteAnswer(
        "x",
        "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:abcd\r\n"
        "a=ice-pwd:0123456789012345678901\r\na=setup:active\r\n");
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("fingerprint"));
    EXPECT_THAT(
        server_->Send("x", "not open", false), StatusIs(absl::StatusCode::kFailedPrecondition));

    EndpointOptions wildcard;
    auto no_address = Endpoint::Start(io_.get_executor(), wildcard, {});
    ASSERT_THAT(no_address, IsOk());
    EXPECT_THAT(
        (*no_address)->CreatePeer("w", {}), StatusIs(absl::StatusCode::kFailedPrecondition));
    EndpointOptions small_buffer = LoopbackOptions();
    small_buffer.max_send_buffer_bytes = 100;
    EXPECT_THAT(
        Endpoint::Start(io_.get_executor(), small_buffer, {}),
        StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(EndpointTest, MalformedStunAndStrayDtlsAreCountedAndNeverAnswered) {
    StartServer();
    auto offer = server_->CreatePeer("s", {});
    ASSERT_THAT(offer, IsOk());
    auto parsed = ParseDescription(offer->sdp);
    ASSERT_THAT(parsed, IsOk());
    const std::string ufrag = parsed->ice_ufrag;
    const std::string pwd = parsed->ice_pwd;

    asio::ip::udp::socket raw(io_, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    raw.non_blocking(true);
    const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), server_->LocalPort());
    auto send = [&](const std::string& d) {
        raw.send_to(asio::buffer(d), to);
    };
    auto request = [&](std::string username, std::string key) {
        return StunBuilder(0x0001, StunTransactionId{1, 2, 3})
            .Add(stun_attr::kUsername, username)
            .Finish(key, true);
    };
    auto received = [&] {
        std::array<char, 2048> buf{};
        asio::ip::udp::endpoint from;
        boost::system::error_code ec;
        size_t count = 0;
        while (raw.receive_from(asio::buffer(buf), from, 0, ec), !ec) {
            ++count;
        }
        return count;
    };

    send(std::string("\x00\x01\x00\x00", 4));  // short
    std::string bad_cookie = request(ufrag + ":x", pwd);
    bad_cookie[5] ^= 0x01;
    send(bad_cookie);
    send(request(ufrag + ":x", "wrong-password-wrong-password"));               // bad integrity
    send(request("nosuchufrag:x", pwd));                                        // unknown ufrag
    send(StunBuilder(0x0001, StunTransactionId{}).Finish(pwd, true));           // no USERNAME
    send(StunBuilder(0x0111, StunTransactionId{}).Finish(std::nullopt, true));  // error response
    send(std::string("\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02", 15));  // DTLS
    send(std::string(30, '\xc8'));  // neither
    ASSERT_TRUE(RunUntil([&] {
        const auto& c = server_->Counters();
        return c.stun_malformed + c.stun_bad_integrity + c.stun_unknown_ufrag + c.stun_unexpected +
                   c.dtls_unknown_source + c.unknown_packets >=
               8;
    }));
    const auto& c = server_->Counters();
    EXPECT_EQ(c.stun_malformed, 3u);  // short, bad cookie, no USERNAME
    EXPECT_EQ(c.stun_bad_integrity, 1u);
    EXPECT_EQ(c.stun_unknown_ufrag, 1u);
    EXPECT_EQ(c.stun_unexpected, 1u);
    EXPECT_EQ(c.dtls_unknown_source, 1u);
    EXPECT_EQ(c.unknown_packets, 1u);
    EXPECT_EQ(c.stun_answered, 0u);
    EXPECT_EQ(received(), 0u);

    // A valid check is answered, which is what makes the zero above meaningful.
    send(request(ufrag + ":x", pwd));
    ASSERT_TRUE(RunUntil([&] { return server_->Counters().stun_answered == 1; }));
    std::array<char, 2048> buf{};
    asio::ip::udp::endpoint from;
    boost::system::error_code ec;
    size_t n = 0;
    for (int i = 0; i < 200; ++i) {
        n = raw.receive_from(asio::buffer(buf), from, 0, ec);
        if (!ec) {
            break;
        }
        io_.run_for(5ms);
    }
    ASSERT_FALSE(ec);
    const std::string response(buf.data(), n);
    auto msg = ParseStun(response);
    ASSERT_THAT(msg, IsOk());
    EXPECT_EQ(msg->type, 0x0101);
    EXPECT_TRUE(VerifyMessageIntegrity(response, *msg, pwd));
    EXPECT_TRUE(VerifyFingerprint(response, *msg, true));
    auto mapped =
        DecodeXorMappedAddress(msg->Find(stun_attr::kXorMappedAddress)->value, msg->transaction_id);
    ASSERT_THAT(mapped, IsOk());
    EXPECT_EQ(mapped->port, raw.local_endpoint().port());
}

TEST_F(EndpointTest, ANominationFromANewAddressMovesThePeerAndTheMapStaysBounded) {
    StartServer();
    auto offer = server_->CreatePeer("m", {});
    ASSERT_THAT(offer, IsOk());
    auto parsed = ParseDescription(offer->sdp);
    ASSERT_THAT(parsed, IsOk());
    const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), server_->LocalPort());
    // Twelve sockets each send a nominating check; every one is answered, to its own address.
    std::vector<std::unique_ptr<asio::ip::udp::socket>> sockets;
    for (int i = 0; i < 12; ++i) {
        auto sock = std::make_unique<asio::ip::udp::socket>(
            io_, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        const std::string check = StunBuilder(0x0001, StunTransactionId{static_cast<uint8_t>(i)})
                                      .Add(stun_attr::kUsername, parsed->ice_ufrag + ":x")
                                      .Add(stun_attr::kUseCandidate, "")
                                      .Finish(parsed->ice_pwd, true);
        sock->send_to(asio::buffer(check), to);
        sockets.push_back(std::move(sock));
    }
    ASSERT_TRUE(RunUntil([&] { return server_->Counters().stun_answered == 12; }));
    // DTLS from the first (evicted) address is no longer routed; the last one still is.
    const std::string junk("\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02", 15);
    sockets.front()->send_to(asio::buffer(junk), to);
    ASSERT_TRUE(RunUntil([&] { return server_->Counters().dtls_unknown_source == 1; }));
    sockets.back()->send_to(asio::buffer(junk), to);
    io_.run_for(50ms);
    EXPECT_EQ(server_->Counters().dtls_unknown_source, 1u);
}

TEST_F(EndpointTest, AReplayedNominationDoesNotTakeALivePeerAway) {
    StartServer();
    StartClient();
    auto offer = server_->CreatePeer("p", {});
    ASSERT_THAT(offer, IsOk());
    auto answer = client_->AcceptOffer("p", offer->sdp);
    ASSERT_THAT(answer, IsOk());
    ASSERT_THAT(server_->SetRemoteAnswer("p", *answer), IsOk());
    ASSERT_TRUE(RunUntil([&] { return client_events_.Opened("p") && server_events_.Opened("p"); }));
    // Someone who saw a check resends it, nominating, from an address of their own.
    auto parsed = ParseDescription(offer->sdp);
    ASSERT_THAT(parsed, IsOk());
    asio::ip::udp::socket thief(
        io_, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), server_->LocalPort());
    const std::string check = StunBuilder(0x0001, StunTransactionId{7})
                                  .Add(stun_attr::kUsername, parsed->ice_ufrag + ":x")
                                  .Add(stun_attr::kUseCandidate, "")
                                  .Finish(parsed->ice_pwd, true);
    const uint64_t answered = server_->Counters().stun_answered;
    thief.send_to(asio::buffer(check), to);
    ASSERT_TRUE(RunUntil([&] { return server_->Counters().stun_answered > answered; }));
    // The peer still gets what we send, and the thief gets nothing but the STUN answer.
    ASSERT_THAT(server_->Send("p", "still yours", false), IsOk());
    ASSERT_TRUE(RunUntil([&] { return client_events_.messages.size() == 1; }));
    EXPECT_EQ(std::get<1>(client_events_.messages[0]), "still yours");
    thief.non_blocking(true);
    std::array<char, 2048> buf{};
    asio::ip::udp::endpoint from;
    boost::system::error_code ec;
    std::size_t stun_answers = 0;
    std::size_t other = 0;
    for (std::size_t n = thief.receive_from(asio::buffer(buf), from, 0, ec); !ec;
         n = thief.receive_from(asio::buffer(buf), from, 0, ec)) {
        (n >= 1 && static_cast<uint8_t>(buf[0]) <= 3 ? stun_answers : other)++;
    }
    EXPECT_EQ(stun_answers, 1u);
    EXPECT_EQ(other, 0u);
}

TEST_F(EndpointTest, ASlowPeerNeverGrowsTheSendBuffer) {
    EndpointOptions options = LoopbackOptions();
    options.max_message_bytes = 16 * 1024;
    options.max_send_buffer_bytes = 64 * 1024;
    StartServer(options);
    StartClient();
    Connect("slow", {.label = "geckos.io", .ordered = true, .max_retransmits = std::nullopt});
    // Without running the loop nothing is acknowledged: the buffer fills and sends are dropped.
    int refused = 0;
    for (int i = 0; i < 40; ++i) {
        if (server_->Send("slow", std::string(16 * 1024, 'x'), true).code() ==
            absl::StatusCode::kResourceExhausted) {
            ++refused;
        }
    }
    EXPECT_GT(refused, 0);
    EXPECT_EQ(server_->Counters().sent_dropped_backpressure, static_cast<uint64_t>(refused));
    // What did fit is still delivered.
    ASSERT_TRUE(RunUntil(
        [&] { return client_events_.messages.size() == static_cast<size_t>(40 - refused); }));
}

TEST_F(EndpointTest, ServesManyClientsOnOneSocket) {
    StartServer();
    StartClient();
    std::vector<std::unique_ptr<Endpoint>> others;
    Recorder others_events;
    constexpr int kClients = 6;
    for (int i = 0; i < kClients; ++i) {
        const PeerId id = "c" + std::to_string(i);
        auto ep = Endpoint::Start(io_.get_executor(), LoopbackOptions(), others_events.Events());
        ASSERT_THAT(ep, IsOk());
        auto offer = server_->CreatePeer(id, {});
        ASSERT_THAT(offer, IsOk());
        auto answer = (*ep)->AcceptOffer(id, offer->sdp);
        ASSERT_THAT(answer, IsOk());
        ASSERT_THAT(server_->SetRemoteAnswer(id, *answer), IsOk());
        others.push_back(std::move(*ep));
    }
    ASSERT_TRUE(RunUntil([&] {
        return server_events_.opened.size() == kClients && others_events.opened.size() == kClients;
    }));
    for (int i = 0; i < kClients; ++i) {
        ASSERT_THAT(
            others[i]->Send("c" + std::to_string(i), "ping " + std::to_string(i), false), IsOk());
    }
    ASSERT_TRUE(RunUntil([&] { return server_events_.messages.size() == kClients; }));
    for (const auto& [id, data, binary] : server_events_.messages) {
        EXPECT_EQ(data, "ping " + id.substr(1));
    }
    EXPECT_EQ(server_->PeerCount(), static_cast<size_t>(kClients));
}

}  // namespace
}  // namespace hatongsu::webrtc
