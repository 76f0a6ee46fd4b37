#include "hatongsu/webrtc/sctp.h"

#include <deque>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace hatongsu::webrtc {
namespace {

// Two associations joined by in-memory packet queues (no DTLS in between).
struct Link {
    explicit Link(SctpOptions options = {}) {
        a = *SctpAssociation::Create(options, [this](std::string_view p) { to_b.emplace_back(p); });
        b = *SctpAssociation::Create(options, [this](std::string_view p) { to_a.emplace_back(p); });
    }
    std::deque<std::string> to_a;
    std::deque<std::string> to_b;
    std::unique_ptr<SctpAssociation> a;
    std::unique_ptr<SctpAssociation> b;
    std::vector<SctpEvent> a_events;
    std::vector<SctpEvent> b_events;

    void Pump() {
        for (int i = 0; i < 1000 && (!to_a.empty() || !to_b.empty()); ++i) {
            while (!to_b.empty()) {
                std::string p = std::move(to_b.front());
                to_b.pop_front();
                if (b) {
                    b->HandlePacket(p);
                }
            }
            while (!to_a.empty()) {
                std::string p = std::move(to_a.front());
                to_a.pop_front();
                if (a) {
                    a->HandlePacket(p);
                }
            }
        }
        Collect();
    }
    void Collect() {
        if (a) {
            for (auto& e : a->TakeEvents()) {
                a_events.push_back(std::move(e));
            }
        }
        if (b) {
            for (auto& e : b->TakeEvents()) {
                b_events.push_back(std::move(e));
            }
        }
    }
    // Pumps and runs usrsctp's timers until `done` or a generous bound; the bound only stops a
    // broken build from hanging, nothing is timed.
    template <typename Pred>
    bool PumpUntil(Pred done) {
        for (int i = 0; i < 2000; ++i) {
            Pump();
            if (done()) {
                return true;
            }
            SctpAssociation::AdvanceTimers();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return done();
    }
    static bool Has(const std::vector<SctpEvent>& events, SctpEventKind kind) {
        for (const auto& e : events) {
            if (e.kind == kind) {
                return true;
            }
        }
        return false;
    }
    void Connect() {
        ASSERT_TRUE(a->Connect().ok());
        ASSERT_TRUE(b->Connect().ok());
        ASSERT_TRUE(PumpUntil([&] {
            return Has(a_events, SctpEventKind::kConnected) &&
                   Has(b_events, SctpEventKind::kConnected);
        }));
    }
    std::vector<SctpEvent> Messages(const std::vector<SctpEvent>& events) {
        std::vector<SctpEvent> out;
        for (const auto& e : events) {
            if (e.kind == SctpEventKind::kMessage) {
                out.push_back(e);
            }
        }
        return out;
    }
};

TEST(Sctp, ConnectsWithSimultaneousInitAndCarriesMessages) {
    Link link;
    EXPECT_FALSE(link.a->Send(1, 51, "early", {}).ok());
    link.Connect();
    ASSERT_TRUE(link.a->Send(1, 51, "hello", {}).ok());
    ASSERT_TRUE(link.b->Send(1, 53, std::string("\x00\x01\x02", 3), {.ordered = false}).ok());
    ASSERT_TRUE(link.PumpUntil([&] {
        return !link.Messages(link.b_events).empty() && !link.Messages(link.a_events).empty();
    }));
    auto at_b = link.Messages(link.b_events);
    ASSERT_EQ(at_b.size(), 1u);
    EXPECT_EQ(at_b[0].stream, 1);
    EXPECT_EQ(at_b[0].ppid, 51u);
    EXPECT_EQ(at_b[0].data, "hello");
    auto at_a = link.Messages(link.a_events);
    ASSERT_EQ(at_a.size(), 1u);
    EXPECT_EQ(at_a[0].ppid, 53u);
    EXPECT_EQ(at_a[0].data, std::string("\x00\x01\x02", 3));
}

TEST(Sctp, ReassemblesLargeMessagesAndDiscardsOversizedOnes) {
    Link link({.max_message_bytes = 100 * 1024});
    link.Connect();
    std::string big(100 * 1024, 'x');
    for (size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>('a' + i % 26);
    }
    ASSERT_TRUE(link.a->Send(3, 51, big, {}).ok());
    ASSERT_TRUE(link.a->Send(3, 51, big + "!", {}).ok());
    ASSERT_TRUE(link.a->Send(3, 51, "after", {}).ok());
    ASSERT_TRUE(link.PumpUntil([&] { return link.Messages(link.b_events).size() >= 2; }));
    auto msgs = link.Messages(link.b_events);
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].data, big);
    EXPECT_EQ(msgs[1].data, "after");
    EXPECT_TRUE(Link::Has(link.b_events, SctpEventKind::kMessageTooLarge));
}

TEST(Sctp, RefusesSendsBeyondTheSendBuffer) {
    Link link({.send_buffer_bytes = 64 * 1024});
    link.Connect();
    EXPECT_EQ(
        link.a->Send(1, 53, std::string(65 * 1024, 'x'), {}).code(),
        absl::StatusCode::kInvalidArgument);
    // Without pumping nothing is acknowledged, so the buffer fills up.
    absl::Status last;
    for (int i = 0; i < 64 && last.ok(); ++i) {
        last = link.a->Send(1, 53, std::string(8 * 1024, 'y'), {});
    }
    EXPECT_EQ(last.code(), absl::StatusCode::kResourceExhausted);
}

TEST(Sctp, StreamResetIsReported) {
    Link link;
    link.Connect();
    ASSERT_TRUE(link.a->Send(1, 51, "x", {}).ok());
    link.Pump();
    ASSERT_TRUE(link.a->ResetStream(1).ok());
    ASSERT_TRUE(link.PumpUntil([&] {
        for (const auto& e : link.b_events) {
            if (e.kind == SctpEventKind::kStreamReset && e.stream == 1) {
                return true;
            }
        }
        return false;
    }));
}

TEST(Sctp, DestroyingOneSideClosesTheOther) {
    Link link;
    link.Connect();
    link.a.reset();  // ABORT goes out
    ASSERT_TRUE(link.PumpUntil([&] { return Link::Has(link.b_events, SctpEventKind::kClosed); }));
}

}  // namespace
}  // namespace hatongsu::webrtc
