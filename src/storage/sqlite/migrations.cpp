#include "storage/sqlite/migrations.hpp"

#include <fmt/format.h>

#include <chrono>

#include "storage/common/time_util.hpp"
#include "storage/sqlite/sqlite_error.hpp"

namespace relais::storage::sqlite {
namespace {

void ensure_migrations_table(Connection& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
}

// BEGIN IMMEDIATE, waiting for as long as another process holds the write lock: the
// connection's busy timeout (seconds) is shorter than a migration of a large database.
void begin_immediate_waiting(Connection& db) {
  constexpr int kSqliteBusy = 5;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(30);
  for (;;) {
    try {
      db.exec("BEGIN IMMEDIATE");
      return;
    } catch (const SqliteError& e) {
      if (e.primary_code() != kSqliteBusy || std::chrono::steady_clock::now() > deadline) throw;
    }
  }
}

}  // namespace

int latest_schema_version() {
  const auto& all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

int current_schema_version(Connection& db) {
  ensure_migrations_table(db);
  auto stmt = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  stmt->step();
  return static_cast<int>(stmt->column_int64(0));
}

Result<int> migrate_database(Connection& db, bool apply) {
  const int current = current_schema_version(db);
  const int latest = latest_schema_version();
  if (current > latest) {
    return Error::conflict(fmt::format(
        "database schema version {} is newer than this relais binary understands (up to {}); "
        "upgrade relais before opening this database",
        current, latest));
  }
  if (current == latest) return current;
  if (!apply) {
    return Error::conflict(fmt::format(
        "database schema is at version {} but this binary needs version {}; run `relais migrate`",
        current, latest));
  }
  int version = current;
  for (const auto& m : embedded_migrations()) {
    if (m.version <= current) continue;
    try {
      begin_immediate_waiting(db);
      // Several servers starting together all saw the old version: the first to get the
      // write lock applies each migration, the others find it applied once they get it.
      const int applied = current_schema_version(db);
      if (applied >= m.version) {
        db.exec("COMMIT");
        version = applied;
        continue;
      }
      db.exec(m.sql);
      auto stmt =
          db.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)");
      stmt->bind(1, static_cast<std::int64_t>(m.version));
      stmt->bind(2, std::string_view(m.name));
      stmt->bind(3, std::string_view(now_iso()));
      stmt->run();
      db.exec("COMMIT");
    } catch (const SqliteError& e) {
      try {
        db.exec("ROLLBACK");
      } catch (const SqliteError&) {
        // no transaction left to roll back
      }
      return Error::internal(fmt::format("migration {} failed: {}", m.name, e.what()));
    }
    version = m.version;
  }
  return version;
}

}  // namespace relais::storage::sqlite
