// The checks every incoming update passes before it is stored or relayed (beyond the original,
// which trusted its clients): finite numbers, a position inside the world's bounds, a rotation
// that is a unit quaternion give or take `quaternion_tolerance`, a known animation state.
// InvalidArgument naming the first problem.
#pragma once

#include <absl/status/status.h>

#include "services/world/domain/messages.h"

namespace hatongsu::world {

struct Bounds {
    Vec3 min{-100, -10, -100};
    Vec3 max{100, 50, 100};
};

inline bool Contains(const Bounds& b, const Vec3& p) {
    return p.x >= b.min.x && p.x <= b.max.x && p.y >= b.min.y && p.y <= b.max.y && p.z >= b.min.z &&
           p.z <= b.max.z;
}

struct ValidationRules {
    Bounds bounds;
    double quaternion_tolerance = 0.05;  // | |q| - 1 | at most this
};

absl::Status ValidateTransform(const Transform& t, const ValidationRules& rules);
absl::Status ValidateAnimationState(int state);

}  // namespace hatongsu::world
