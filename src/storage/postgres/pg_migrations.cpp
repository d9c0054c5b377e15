#include "storage/postgres/pg_migrations.hpp"

#include <fmt/format.h>

#include "storage/common/time_util.hpp"

namespace relais::storage::postgres {
namespace {

// pg_advisory_lock key of schema migrations: "relais" in ASCII, arbitrary but fixed.
constexpr std::int64_t kMigrationLock = 0x72656c616973;

// Holds the migration lock for its lifetime (a session lock: it spans the per-migration
// transactions).
class MigrationLock {
 public:
  explicit MigrationLock(PgConnection& db) : db_(db) {
    db_.query("SELECT pg_advisory_lock($1)", params(kMigrationLock));
  }
  ~MigrationLock() {
    try {
      db_.query("SELECT pg_advisory_unlock($1)", params(kMigrationLock));
    } catch (const PgError&) {
      // the connection is gone, and the lock with it
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  PgConnection& db_;
};

}  // namespace

int latest_schema_version() {
  const auto& all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

int current_schema_version(PgConnection& db) {
  auto exists = db.query("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists.boolean(0, 0)) return 0;
  auto version = db.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  return static_cast<int>(version.int64(0, 0));
}

Result<int> migrate_database(PgConnection& db, bool apply) {
  const int latest = latest_schema_version();
  auto check = [&](int current) -> Result<int> {
    if (current > latest) {
      return Error::conflict(fmt::format(
          "database schema version {} is newer than this relais binary understands (up to {}); "
          "upgrade relais before opening this database",
          current, latest));
    }
    if (current < latest && !apply) {
      return Error::conflict(fmt::format(
          "database schema is at version {} but this binary needs version {}; run `relais "
          "migrate`",
          current, latest));
    }
    return current;
  };
  try {
    RELAIS_ASSIGN_OR_RETURN(int current, check(current_schema_version(db)));
    if (current == latest) return current;
    const MigrationLock lock(db);
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version bigint PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)");
    int version = current_schema_version(db);  // another server may have gone first
    RELAIS_TRY(check(version));
    for (const auto& m : embedded_migrations()) {
      if (m.version <= version) continue;
      try {
        db.exec("BEGIN");
        db.exec(m.sql);
        db.query("INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)",
                 params(std::int64_t{m.version}, std::string(m.name), now_iso()));
        db.exec("COMMIT");
      } catch (const PgError& e) {
        try {
          db.exec("ROLLBACK");
        } catch (const PgError&) {
          // the connection is gone: nothing to roll back
        }
        return Error::internal(fmt::format("migration {} failed: {}", m.name, e.what()));
      }
      version = m.version;
    }
    return version;
  } catch (const PgError& e) {
    return Error::internal(std::string("cannot migrate the PostgreSQL database: ") + e.what());
  }
}

}  // namespace relais::storage::postgres
