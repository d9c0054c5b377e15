// Versioned schema migrations for SQLite. The numbered files in migrations/ are embedded in
// the binary at build time (see embed_migrations.cmake); `schema_migrations` records which
// ones a database has. Each migration runs in its own transaction.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

struct EmbeddedMigration {
  int version;
  const char* name;  // file name without extension, e.g. "0001_initial"
  const char* sql;
};

// In ascending version order. Defined in the generated sqlite_migrations.cpp.
const std::vector<EmbeddedMigration>& embedded_migrations();

// Highest version this binary knows.
int latest_schema_version();

// The version recorded in the database (0 for a fresh one).
int current_schema_version(Connection& db);

// Brings the database to the latest version when `apply`; otherwise only checks it is there.
// kConflict when the database is newer than this binary, or (without `apply`) not migrated.
Result<int> migrate_database(Connection& db, bool apply);

}  // namespace relais::storage::sqlite
