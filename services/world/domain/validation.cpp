#include "services/world/domain/validation.h"

#include <algorithm>
#include <cmath>

namespace hatongsu::world {

absl::Status ValidateTransform(const Transform& t, const ValidationRules& rules) {
    const Vec3& p = t.position;
    const Quaternion& q = t.rotation;
    for (double v : {p.x, p.y, p.z, q.x, q.y, q.z, q.w}) {
        if (!std::isfinite(v)) {
            return absl::InvalidArgumentError("not a finite number");
        }
    }
    if (!Contains(rules.bounds, p)) {
        return absl::InvalidArgumentError("position outside the world");
    }
    // Components are finite but may be huge: the norm is taken in a way that cannot overflow.
    const double scale = std::max({std::abs(q.x), std::abs(q.y), std::abs(q.z), std::abs(q.w)});
    if (scale == 0 || scale > 2) {
        return absl::InvalidArgumentError("rotation is not a unit quaternion");
    }
    const double norm = std::sqrt(q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w);
    if (std::abs(norm - 1) > rules.quaternion_tolerance) {
        return absl::InvalidArgumentError("rotation is not a unit quaternion");
    }
    return absl::OkStatus();
}

absl::Status ValidateAnimationState(int state) {
    if (state < 0 || state > kMaxAnimationState) {
        return absl::InvalidArgumentError("unknown animation state");
    }
    return absl::OkStatus();
}

}  // namespace hatongsu::world
