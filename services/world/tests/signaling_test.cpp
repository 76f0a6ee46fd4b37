// Signaling use cases and the connection registry: ids, answers, candidates, close, the
// authorization hook, bounds on pending connections and the reaper.
#include "services/world/usecase/signaling.h"

#include <gtest/gtest.h>

#include "hatongsu/testkit/status_matchers.h"
#include "services/world/tests/world_harness.h"

namespace hatongsu::world {
namespace {

using namespace std::chrono_literals;
using testing_fakes::WorldHarness;
using testkit::IsOk;
using testkit::StatusIs;

TEST(ConnectionRegistry, BoundsPendingInAllAndPerAddress) {
    ConnectionRegistry r({.max_pending = 3, .max_pending_per_address = 2, .open_timeout = 10s});
    const ConnectionRegistry::TimePoint t0{};
    ASSERT_THAT(r.Admit("a"), IsOk());
    ASSERT_THAT(r.Add("1", "a", t0), IsOk());
    ASSERT_THAT(r.Add("2", "a", t0), IsOk());
    EXPECT_THAT(r.Admit("a"), StatusIs(absl::StatusCode::kUnavailable));
    ASSERT_THAT(r.Admit("b"), IsOk());
    ASSERT_THAT(r.Add("3", "b", t0), IsOk());
    EXPECT_THAT(r.Admit("c"), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(r.Add("3", "c", t0), StatusIs(absl::StatusCode::kAlreadyExists));
    EXPECT_TRUE(r.MarkOpen("1"));  // open connections do not count as pending
    EXPECT_THAT(r.Admit("a"), IsOk());
    EXPECT_EQ(r.Pending(), 2u);
    EXPECT_EQ(r.Size(), 3u);
    EXPECT_FALSE(r.MarkOpen("nope"));
}

TEST(ConnectionRegistry, BoundsOpenAndPendingConnectionsPerAddress) {
    ConnectionRegistry r(
        {.max_pending = 10,
         .max_pending_per_address = 10,
         .max_per_address = 2,
         .open_timeout = 10s});
    const ConnectionRegistry::TimePoint t0{};
    ASSERT_THAT(r.Add("1", "a", t0), IsOk());
    ASSERT_TRUE(r.MarkOpen("1"));
    ASSERT_THAT(r.Add("2", "a", t0), IsOk());
    // One open and one pending: the address is full, others are not.
    EXPECT_THAT(r.Admit("a"), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(r.Admit("b"), IsOk());
    EXPECT_TRUE(r.Remove("1"));  // a closed connection frees its place
    EXPECT_THAT(r.Admit("a"), IsOk());
    EXPECT_EQ(r.Reap(t0 + 11s), std::vector<PeerId>{"2"});  // and so does a reaped one
    ASSERT_THAT(r.Add("3", "a", t0), IsOk());
    ASSERT_THAT(r.Add("4", "a", t0), IsOk());
    EXPECT_THAT(r.Admit("a"), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(ConnectionRegistry, ReapsOnlyPendingConnectionsPastTheTimeout) {
    ConnectionRegistry r({.max_pending = 10, .max_pending_per_address = 10, .open_timeout = 10s});
    const ConnectionRegistry::TimePoint t0{};
    ASSERT_THAT(r.Add("old", "a", t0), IsOk());
    ASSERT_THAT(r.Add("open", "a", t0), IsOk());
    ASSERT_THAT(r.Add("young", "a", t0 + 5s), IsOk());
    r.MarkOpen("open");
    EXPECT_TRUE(r.Reap(t0 + 9s).empty());
    EXPECT_EQ(r.Reap(t0 + 10s), std::vector<PeerId>{"old"});
    EXPECT_EQ(r.Reap(t0 + 15s), std::vector<PeerId>{"young"});
    EXPECT_EQ(r.Size(), 1u);
    EXPECT_EQ(r.Pending(), 0u);
    EXPECT_THAT(r.Admit("a"), IsOk());
}

TEST(Signaling, ConnectCreatesAPeerWithAFreshIdAndItsOffer) {
    WorldHarness h;
    auto c = h.signaling.Connect(std::nullopt, "198.51.100.1");
    ASSERT_THAT(c, IsOk());
    EXPECT_EQ(c->id.size(), 24u);
    EXPECT_TRUE(h.transport.Exists(c->id));
    EXPECT_NE(c->sdp.find("v=0\r\n"), std::string::npos);
    EXPECT_TRUE(c->user_id.empty());
    auto d = h.signaling.Connect(std::nullopt, "198.51.100.1");
    ASSERT_THAT(d, IsOk());
    EXPECT_NE(c->id, d->id);
}

TEST(Signaling, AnswersReachTheTransportAndUnknownIdsAreNotFound) {
    WorldHarness h;
    auto c = h.signaling.Connect(std::nullopt, "x");
    ASSERT_THAT(c, IsOk());
    EXPECT_THAT(h.signaling.Answer(c->id, "v=0\r\na=fingerprint:sha-256 AA\r\n"), IsOk());
    EXPECT_EQ(h.transport.Answer(c->id), "v=0\r\na=fingerprint:sha-256 AA\r\n");
    EXPECT_THAT(
        h.signaling.Answer(c->id, "again a=fingerprint:"),
        StatusIs(absl::StatusCode::kFailedPrecondition));
    auto e = h.signaling.Connect(std::nullopt, "x");
    EXPECT_THAT(h.signaling.Answer(e->id, "v=0\r\n"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        h.signaling.Answer("P99999999999999999999999", "a=fingerprint:"),
        StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(
        h.signaling.TakeCandidates("P99999999999999999999999"),
        StatusIs(absl::StatusCode::kNotFound));
    EXPECT_FALSE(h.signaling.Close("P99999999999999999999999"));
}

TEST(Signaling, CandidatesAreDrainedOnEachCall) {
    WorldHarness h;
    auto c = h.signaling.Connect(std::nullopt, "x");
    auto first = h.signaling.TakeCandidates(c->id);
    ASSERT_THAT(first, IsOk());
    EXPECT_EQ(
        *first,
        std::vector<std::string>{"candidate:1 1 udp 2130706431 203.0.113.10 50000 typ host"});
    auto second = h.signaling.TakeCandidates(c->id);
    ASSERT_THAT(second, IsOk());
    EXPECT_TRUE(second->empty());
}

TEST(Signaling, CloseClosesThePeerAndForgetsIt) {
    WorldHarness h;
    auto c = h.signaling.Connect(std::nullopt, "x");
    EXPECT_TRUE(h.signaling.Close(c->id));
    h.transport.Deliver();
    EXPECT_FALSE(h.transport.Exists(c->id));
    EXPECT_FALSE(h.signaling.Known(c->id));
    EXPECT_FALSE(h.signaling.Close(c->id));
}

TEST(Signaling, TheAuthorizationHookWhenRequired) {
    WorldHarness h({.signaling = {.require_auth = true}});
    h.verifier.Allow("good-token", "user-7");
    const auto kUnauth = absl::StatusCode::kUnauthenticated;
    EXPECT_THAT(h.signaling.Connect(std::nullopt, "x"), StatusIs(kUnauth));
    EXPECT_THAT(h.signaling.Connect("", "x"), StatusIs(kUnauth));
    EXPECT_THAT(h.signaling.Connect("Bearer ", "x"), StatusIs(kUnauth));
    EXPECT_THAT(h.signaling.Connect("Bearer bad", "x"), StatusIs(kUnauth));
    EXPECT_EQ(h.transport.Created(), 0u);  // nothing allocated for a refused client
    auto bearer = h.signaling.Connect("Bearer good-token", "x");
    ASSERT_THAT(bearer, IsOk());
    EXPECT_EQ(bearer->user_id, "user-7");
    EXPECT_THAT(h.signaling.Connect("good-token", "x"), IsOk());  // verbatim, as geckos sends it
}

TEST(Signaling, TransportFailuresAreInternalAndLeaveNothingBehind) {
    WorldHarness h;
    h.transport.FailCreate(true);
    EXPECT_THAT(h.signaling.Connect(std::nullopt, "x"), StatusIs(absl::StatusCode::kInternal));
    EXPECT_EQ(h.signaling.Connections(), 0u);
}

TEST(Signaling, AFullWorldRefusesNewConnections) {
    WorldHarness h({.signaling = {.capacity = 2}});
    h.Join();
    h.Join();
    EXPECT_THAT(
        h.signaling.Connect(std::nullopt, "x"), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(Signaling, AThousandConnectionsThatNeverOpenAreBoundedAndReaped) {
    WorldHarness h(
        {.signaling = {
             .limits = {.max_pending = 200, .max_pending_per_address = 10, .open_timeout = 30s},
         }});
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 1000; ++i) {
        // 100 addresses, 10 tries each.
        auto c = h.signaling.Connect(std::nullopt, "203.0.113." + std::to_string(i % 100));
        if (c.ok()) {
            ++accepted;
        } else {
            EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable);
            ++refused;
        }
    }
    EXPECT_EQ(accepted, 200);
    EXPECT_EQ(refused, 800);
    EXPECT_EQ(h.transport.PeerCount(), 200u);
    // One address alone cannot take more than its share.
    for (int i = 0; i < 50; ++i) {
        (void)h.signaling.Connect(std::nullopt, "192.0.2.1");
    }
    EXPECT_EQ(h.signaling.Pending(), 200u);

    h.clock.Advance(29s);
    h.Tick();
    EXPECT_EQ(h.signaling.Pending(), 200u);
    h.clock.Advance(1s);
    h.Tick();
    EXPECT_EQ(h.signaling.Pending(), 0u);
    EXPECT_EQ(h.signaling.Connections(), 0u);
    EXPECT_EQ(h.transport.PeerCount(), 0u);  // every peer closed
}

TEST(Signaling, AChannelOpeningForAForgottenConnectionIsClosedNotJoined) {
    WorldHarness h;
    auto late = h.signaling.Connect(std::nullopt, "192.0.2.1");
    ASSERT_THAT(late, IsOk());
    h.signaling.Closed(late->id);  // forgotten (reaped) while the transport still opens it
    h.transport.Open(late->id);
    h.transport.Deliver();
    EXPECT_EQ(h.game.Players(), 0u);
    EXPECT_FALSE(h.transport.Exists(late->id));
    EXPECT_EQ(h.transport.ClosedByServer(), 1u);
}

TEST(TokenFromAuthorization, BearerOrBare) {
    EXPECT_EQ(TokenFromAuthorization("Bearer abc"), "abc");
    EXPECT_EQ(TokenFromAuthorization("bearer  abc "), "abc");
    EXPECT_EQ(TokenFromAuthorization("abc"), "abc");
    EXPECT_EQ(TokenFromAuthorization("  "), std::nullopt);
    EXPECT_EQ(TokenFromAuthorization("Bearer"), "Bearer");  // a bare token that says Bearer
}

}  // namespace
}  // namespace hatongsu::world
