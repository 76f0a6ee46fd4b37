// The spawn rule: centre first, then rings up to 5 m, never within 2 m of a player, then random.
#include "services/world/domain/spawn.h"

#include <cmath>

#include <gtest/gtest.h>

namespace hatongsu::world {
namespace {

double Distance(const Vec3& a, const Vec3& b) {
    return std::sqrt(
        (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

double MinDistance(const Vec3& p, const std::vector<Vec3>& others) {
    double best = 1e9;
    for (const Vec3& o : others) {
        best = std::min(best, Distance(p, o));
    }
    return best;
}

TEST(SpawnPoint, TheCentreWhenNobodyIsNear) {
    SpawnRule rule{.center = {1, 0, 2}};
    EXPECT_EQ(SpawnPoint({}, rule, Bounds{}, {}), (Vec3{1, 0, 2}));
    EXPECT_EQ(SpawnPoint({{3.5, 0, 2}}, rule, Bounds{}, {}), (Vec3{1, 0, 2}));
}

TEST(SpawnPoint, APlayerExactlyTwoMetresAwayLeavesTheCentreSafe) {
    SpawnRule rule;
    EXPECT_EQ(SpawnPoint({{2, 0, 0}}, rule, Bounds{}, {}), (Vec3{0, 0, 0}));
    EXPECT_NE(SpawnPoint({{1.99, 0, 0}}, rule, Bounds{}, {}), (Vec3{0, 0, 0}));
}

TEST(SpawnPoint, TheFirstSafePointOnTheRings) {
    SpawnRule rule;
    std::vector<Vec3> occupied{{0, 0, 0}};
    Vec3 p = SpawnPoint(occupied, rule, Bounds{}, {});
    EXPECT_GE(MinDistance(p, occupied), 2.0);
    EXPECT_LE(Distance(p, rule.center), 5.0 + 1e-9);
    EXPECT_NEAR(Distance(p, rule.center), 2.0, 1e-9);  // ring 1 m is too close: the 2 m ring
    EXPECT_EQ(p.y, 0);
}

TEST(SpawnPoint, EveryJoinerKeepsTwoMetresWhileRoomRemains) {
    SpawnRule rule;
    std::vector<Vec3> occupied;
    for (int i = 0; i < 12; ++i) {
        Vec3 p = SpawnPoint(occupied, rule, Bounds{}, {});
        ASSERT_LE(Distance(p, rule.center), 5.0 + 1e-9) << i;
        ASSERT_GE(MinDistance(p, occupied), 2.0 - 1e-9) << i;
        occupied.push_back(p);
    }
}

TEST(SpawnPoint, RandomInTheDiscWhenTheRingsAreFull) {
    SpawnRule rule;
    // A player on every 0.5 m of a grid covering the 6 m disc: no safe point remains.
    std::vector<Vec3> crowd;
    for (double x = -6; x <= 6; x += 0.5) {
        for (double z = -6; z <= 6; z += 0.5) {
            crowd.push_back({x, 0, z});
        }
    }
    Vec3 a = SpawnPoint(crowd, rule, Bounds{}, {.u = 1.0, .v = 0.0});
    EXPECT_NEAR(a.x, 5.0, 1e-9);  // radius 5·√1 at angle 0
    EXPECT_NEAR(a.z, 0.0, 1e-9);
    Vec3 b = SpawnPoint(crowd, rule, Bounds{}, {.u = 0.25, .v = 0.25});
    EXPECT_NEAR(b.x, 0.0, 1e-9);  // radius 2.5 at a quarter turn
    EXPECT_NEAR(b.z, 2.5, 1e-9);
    EXPECT_NE(a, b);
}

TEST(SpawnPoint, StaysInsideTheWorld) {
    SpawnRule rule{.center = {0, 0, 0}};
    Bounds narrow{{-1, -1, -1}, {1, 1, 100}};
    Vec3 p = SpawnPoint({{0, 0, 0}}, rule, narrow, {});
    EXPECT_TRUE(Contains(narrow, p));
    EXPECT_GE(Distance(p, {0, 0, 0}), 2.0);
}

}  // namespace
}  // namespace hatongsu::world
