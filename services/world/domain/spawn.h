// Where a joining player appears: the first safe point (no player within `safe_distance`) among
// the centre and then rings around it every `ring_step` up to `max_ring`; when all of those are
// taken, a random point in the disc of radius `max_ring` (from two uniform numbers the caller
// draws, so the rule stays a pure function). Every point is on the centre's height and inside the
// world's bounds.
//
//   Vec3 p = SpawnPoint(others, rule, bounds, {.u = rng.Uniform(), .v = rng.Uniform()});
#pragma once

#include <vector>

#include "services/world/domain/messages.h"
#include "services/world/domain/validation.h"

namespace hatongsu::world {

struct SpawnRule {
    Vec3 center = {};
    double safe_distance = 2;  // metres; a point at exactly this distance is safe
    double ring_step = 1;
    double max_ring = 5;
};

struct SpawnDraw {
    double u = 0;  // both uniform in [0, 1)
    double v = 0;
};

Vec3 SpawnPoint(
    const std::vector<Vec3>& occupied, const SpawnRule& rule, const Bounds& bounds, SpawnDraw draw);

// The rotation every player spawns with (facing the scene's default direction).
inline Quaternion SpawnRotation() {
    return Quaternion{0, 0, 0, 1};
}

}  // namespace hatongsu::world
