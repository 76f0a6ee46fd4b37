#include "hatongsu/webrtc/dtls.h"

#include <deque>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace hatongsu::webrtc {
namespace {

// Two sessions joined by in-memory datagram queues; nothing is lost unless a test drops it.
struct Pair {
    std::shared_ptr<DtlsContext> client_ctx = *DtlsContext::Create();
    std::shared_ptr<DtlsContext> server_ctx = *DtlsContext::Create();
    std::deque<std::string> to_server;
    std::deque<std::string> to_client;
    std::unique_ptr<DtlsSession> client = *DtlsSession::Create(
        *client_ctx, DtlsRole::kClient, [this](std::string_view d) { to_server.emplace_back(d); });
    std::unique_ptr<DtlsSession> server = *DtlsSession::Create(
        *server_ctx, DtlsRole::kServer, [this](std::string_view d) { to_client.emplace_back(d); });
    std::vector<std::string> server_records;
    std::vector<std::string> client_records;
    bool server_closed = false;

    // Delivers queued datagrams both ways until none are left.
    void Pump() {
        for (int rounds = 0; rounds < 100 && (!to_server.empty() || !to_client.empty()); ++rounds) {
            while (!to_server.empty()) {
                std::string d = std::move(to_server.front());
                to_server.pop_front();
                DtlsInput in = server->HandleDatagram(d);
                server_records.insert(server_records.end(), in.records.begin(), in.records.end());
                server_closed = server_closed || in.closed;
                EXPECT_TRUE(in.error.ok()) << in.error;
            }
            while (!to_client.empty()) {
                std::string d = std::move(to_client.front());
                to_client.pop_front();
                DtlsInput in = client->HandleDatagram(d);
                client_records.insert(client_records.end(), in.records.begin(), in.records.end());
                EXPECT_TRUE(in.error.ok()) << in.error;
            }
        }
    }
};

TEST(Dtls, HandshakeCompletesAndFingerprintsMatchTheContexts) {
    Pair p;
    ASSERT_TRUE(p.client->Start().ok());
    ASSERT_FALSE(p.to_server.empty());  // the ClientHello went out
    p.Pump();
    ASSERT_TRUE(p.client->Connected());
    ASSERT_TRUE(p.server->Connected());
    EXPECT_EQ(*p.server->PeerFingerprint(), p.client_ctx->Fingerprint());
    EXPECT_EQ(*p.client->PeerFingerprint(), p.server_ctx->Fingerprint());

    ASSERT_TRUE(p.client->Write("hello").ok());
    ASSERT_TRUE(p.server->Write(std::string(1000, 'x')).ok());
    p.Pump();
    EXPECT_EQ(p.server_records, std::vector<std::string>{"hello"});
    EXPECT_EQ(p.client_records, std::vector<std::string>{std::string(1000, 'x')});
}

TEST(Dtls, PeerFingerprintDiffersFromAnUnrelatedCertificate) {
    Pair p;
    auto stranger = *DtlsContext::Create();
    ASSERT_TRUE(p.client->Start().ok());
    p.Pump();
    ASSERT_TRUE(p.server->Connected());
    EXPECT_NE(*p.server->PeerFingerprint(), stranger->Fingerprint());
    EXPECT_NE(p.client_ctx->Fingerprint(), p.server_ctx->Fingerprint());
}

TEST(Dtls, NoFingerprintAndNoWritesBeforeTheHandshake) {
    Pair p;
    EXPECT_FALSE(p.server->PeerFingerprint().ok());
    EXPECT_FALSE(p.client->Write("early").ok());
}

TEST(Dtls, GarbageIsDroppedAndTheSessionKeepsWorking) {
    Pair p;
    ASSERT_TRUE(p.client->Start().ok());
    // A record header with junk, then plain junk, before the real ClientHello.
    DtlsInput junk = p.server->HandleDatagram(std::string("\x16\xfe\xfd\x00\x00junkjunkjunk", 16));
    EXPECT_TRUE(junk.records.empty());
    p.server->HandleDatagram(std::string(40, '\x17'));
    p.Pump();
    ASSERT_TRUE(p.server->Connected());
    p.server->HandleDatagram(std::string(60, '\x17'));  // forged application data
    ASSERT_TRUE(p.client->Write("still here").ok());
    p.Pump();
    EXPECT_EQ(p.server_records, std::vector<std::string>{"still here"});
}

TEST(Dtls, RetransmitsALostFlight) {
    Pair p;
    ASSERT_TRUE(p.client->Start().ok());
    p.to_server.clear();  // the ClientHello is lost
    ASSERT_TRUE(p.client->TimeUntilRetransmit().has_value());
    // Retransmission is due only once the timer expires; OpenSSL reads the wall clock, so the
    // test lets the timer elapse rather than asserting on time.
    for (int i = 0; i < 300 && p.to_server.empty(); ++i) {
        ASSERT_TRUE(p.client->HandleRetransmitTimer().ok());
        if (p.to_server.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ASSERT_FALSE(p.to_server.empty());
    p.Pump();
    EXPECT_TRUE(p.server->Connected());
}

TEST(Dtls, CloseNotifyReachesThePeer) {
    Pair p;
    ASSERT_TRUE(p.client->Start().ok());
    p.Pump();
    p.client->Close();
    p.Pump();
    EXPECT_TRUE(p.server_closed);
    EXPECT_FALSE(p.client->Write("after close").ok());
}

}  // namespace
}  // namespace hatongsu::webrtc
