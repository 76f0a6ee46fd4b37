// The use cases around the room: join tokens (EVENT_REQUIRE_AUTH) and admin moderation.
#include "services/event/usecase/gallery.h"

#include <gtest/gtest.h>

#include "hatongsu/testkit/fake_clock.h"
#include "hatongsu/testkit/status_matchers.h"
#include "services/event/testing/fakes.h"

namespace hatongsu::event {
namespace {

using testkit::IsOk;
using testkit::StatusIs;

class GalleryTest : public ::testing::Test {
protected:
    GalleryTest() {
        verifier_.Allow("user-token", {"u1", "user"});
        verifier_.Allow("admin-token", {"a1", "admin"});
    }

    Gallery Make(bool require_auth) {
        RoomSettings settings;
        settings.room_id = "room1";
        return Gallery(settings, require_auth, connections_, ids_, verifier_, clock_);
    }

    testing_fakes::RecordingConnections connections_;
    testing_fakes::SequentialIds ids_;
    testing_fakes::FakeAccessVerifier verifier_;
    testkit::FakeClock clock_;
};

TEST_F(GalleryTest, RequireAuthRefusesJoinsWithoutAValidToken) {
    Gallery gallery = Make(true);
    EXPECT_THAT(
        gallery.Join({"p", "n", "", ""}, std::nullopt),
        StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(
        gallery.Join({"p", "n", "", ""}, "forged"), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(gallery.Join({"p", "n", "", ""}, "user-token"), IsOk());
    EXPECT_EQ(gallery.Clients(), 1u);
}

TEST_F(GalleryTest, WithoutRequireAuthAnyoneJoinsButABadTokenIsStillRefused) {
    Gallery gallery = Make(false);
    EXPECT_THAT(gallery.Join({"p", "n", "", ""}, std::nullopt), IsOk());
    EXPECT_THAT(
        gallery.Join({"p", "n", "", ""}, "forged"), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(GalleryTest, AVerifiedPlayerIdIsTheTokensSubject) {
    Gallery gallery = Make(true);
    auto seat = gallery.Join({"someone-else", "n", "", ""}, "user-token");
    ASSERT_TRUE(seat.ok());
    gallery.Connect(1, "room1", seat->session_id, std::nullopt);
    gallery.Frame(1, ClientAck{});
    Effects applied = connections_.Applied();
    const SendFullState* state = nullptr;
    for (const Effect& e : applied) {
        if (const auto* s = std::get_if<SendFullState>(&e)) {
            state = s;
        }
    }
    ASSERT_NE(state, nullptr);
    ASSERT_EQ(state->players.size(), 1u);
    EXPECT_EQ(state->players[0].player_id, "u1");
}

TEST_F(GalleryTest, OnlyAnAdminKicksOrMutes) {
    Gallery gallery = Make(false);
    auto seat = gallery.Join({"p", "n", "", ""}, std::nullopt);
    ASSERT_TRUE(seat.ok());
    gallery.Connect(1, "room1", seat->session_id, std::nullopt);
    gallery.Frame(1, ClientAck{});
    EXPECT_THAT(
        gallery.Kick("user-token", seat->session_id),
        StatusIs(absl::StatusCode::kPermissionDenied));
    EXPECT_THAT(gallery.Kick("", seat->session_id), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(gallery.Mute("admin-token", seat->session_id, true), IsOk());
    EXPECT_THAT(gallery.Kick("admin-token", "nobody"), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(gallery.Kick("admin-token", seat->session_id), IsOk());
    Effects applied = connections_.Applied();
    ASSERT_FALSE(applied.empty());
    const auto* close = std::get_if<CloseConnection>(&applied.back());
    ASSERT_NE(close, nullptr);
    EXPECT_EQ(close->to, 1u);
    EXPECT_EQ(gallery.Clients(), 0u);
}

}  // namespace
}  // namespace hatongsu::event
