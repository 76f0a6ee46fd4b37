#include "hatongsu/pg/migrate.h"

#include <set>

#include "hatongsu/log/log.h"

namespace hatongsu::pg {

absl::Status Migrate(
    Pool& pool, const std::string& service, const std::vector<Migration>& migrations) {
    return pool.Run("migrate", [&](pqxx::connection& c) -> absl::Status {
        pqxx::work tx(c);
        tx.exec("SELECT pg_advisory_xact_lock(hashtext('hatongsu_schema_migrations'))");
        tx.exec(
            "CREATE TABLE IF NOT EXISTS hatongsu_schema_migrations ("
            " service text NOT NULL, version integer NOT NULL, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (service, version))");
        std::set<int> applied;
        for (const auto& row : tx.exec_params(
                 "SELECT version FROM hatongsu_schema_migrations WHERE service = $1", service)) {
            applied.insert(row[0].as<int>());
        }
        for (const Migration& m : migrations) {
            if (applied.contains(m.version)) {
                continue;
            }
            tx.exec(m.sql);
            tx.exec_params(
                "INSERT INTO hatongsu_schema_migrations (service, version, name) VALUES ($1, $2, "
                "$3)",
                service, m.version, m.name);
            log::Info(
                "migration applied",
                {{"service", service}, {"version", m.version}, {"name", m.name}});
        }
        tx.commit();
        return absl::OkStatus();
    });
}

}  // namespace hatongsu::pg
