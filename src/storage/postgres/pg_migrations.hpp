// Versioned schema migrations for PostgreSQL: the numbered files in migrations/, embedded at
// build time (storage/embed_migrations.cmake), with the same version numbers as the SQLite
// engine's, and the same refusal of a database newer than the binary. Each migration runs in
// its own transaction; a session-level advisory lock makes servers that start together
// apply each one exactly once (the others wait, then find it applied).
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

struct EmbeddedMigration {
  int version;
  const char* name;  // file name without extension, e.g. "0001_initial"
  const char* sql;
};

// In ascending version order. Defined in the generated postgres_migrations.cpp.
const std::vector<EmbeddedMigration>& embedded_migrations();

int latest_schema_version();

// The version recorded in the database (0 for a fresh one).
int current_schema_version(PgConnection& db);

// Brings the database to the latest version when `apply`; otherwise only checks it is there.
// kConflict when the database is newer than this binary, or (without `apply`) not migrated.
Result<int> migrate_database(PgConnection& db, bool apply);

}  // namespace relais::storage::postgres
