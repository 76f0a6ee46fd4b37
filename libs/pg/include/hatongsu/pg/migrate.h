// Versioned SQL migrations, applied in order at start-up under an advisory lock (so replicas
// starting together do not race), each recorded in hatongsu_schema_migrations per service.
#pragma once

#include <string>
#include <vector>

#include <absl/status/status.h>

#include "hatongsu/pg/pool.h"

namespace hatongsu::pg {

struct Migration {
    int version;
    std::string name;
    std::string sql;
};

// Applies the migrations of `service` not yet recorded. Returns the first failure (nothing of a
// failed run is kept: all pending migrations run in one transaction).
[[nodiscard]] absl::Status Migrate(
    Pool& pool, const std::string& service, const std::vector<Migration>& migrations);

}  // namespace hatongsu::pg
