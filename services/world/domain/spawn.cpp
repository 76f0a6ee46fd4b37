#include "services/world/domain/spawn.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hatongsu::world {
namespace {

bool IsSafe(const Vec3& p, const std::vector<Vec3>& occupied, double safe_distance) {
    for (const Vec3& o : occupied) {
        double dx = p.x - o.x;
        double dy = p.y - o.y;
        double dz = p.z - o.z;
        if (dx * dx + dy * dy + dz * dz < safe_distance * safe_distance) {
            return false;
        }
    }
    return true;
}

Vec3 Clamp(Vec3 p, const Bounds& b) {
    return Vec3{
        std::clamp(p.x, b.min.x, b.max.x), std::clamp(p.y, b.min.y, b.max.y),
        std::clamp(p.z, b.min.z, b.max.z)};
}

}  // namespace

Vec3 SpawnPoint(
    const std::vector<Vec3>& occupied,
    const SpawnRule& rule,
    const Bounds& bounds,
    SpawnDraw draw) {
    const Vec3 c = rule.center;
    if (Contains(bounds, c) && IsSafe(c, occupied, rule.safe_distance)) {
        return c;
    }
    // Rings of radius step, 2·step, … max_ring; on each, points about `step` apart (at least 8).
    const double step = rule.ring_step > 0 ? rule.ring_step : 1;
    for (int ring = 1; ring * step <= rule.max_ring + 1e-9; ++ring) {
        const double radius = ring * step;
        const int points =
            std::max(8, static_cast<int>(std::ceil(2 * std::numbers::pi * radius / step)));
        for (int k = 0; k < points; ++k) {
            const double angle = 2 * std::numbers::pi * k / points;
            Vec3 p{c.x + radius * std::cos(angle), c.y, c.z + radius * std::sin(angle)};
            if (Contains(bounds, p) && IsSafe(p, occupied, rule.safe_distance)) {
                return p;
            }
        }
    }
    // Crowded: anywhere in the disc (uniform by area).
    const double radius = rule.max_ring * std::sqrt(std::clamp(draw.u, 0.0, 1.0));
    const double angle = 2 * std::numbers::pi * std::clamp(draw.v, 0.0, 1.0);
    return Clamp(Vec3{c.x + radius * std::cos(angle), c.y, c.z + radius * std::sin(angle)}, bounds);
}

}  // namespace hatongsu::world
