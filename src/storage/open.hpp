// Opening a database by URL: "sqlite:<path>" (the default engine) or a libpq URI,
// "postgresql://user@host/db" (also "postgres://"; "postgresql:///db?host=/run/dir" for a
// Unix socket).
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "domain/store.hpp"

namespace relais::storage {

struct StoreOptions {
  int reader_connections = 4;  // SQLite: reader connections beside the one writer
  // PostgreSQL: connections in the pool that reads and writes share (a server's request and
  // job threads borrow one per unit of work).
  int pg_connections = 8;
  // Applies pending migrations on open (the default; worker, import, export and blob refuse an
  // outdated schema instead and require `relais migrate`).
  bool migrate = true;
};

// Opens (creating the file if needed) and returns a ready Store. Fails with a clear message
// when the database schema is newer than this binary understands, or is not migrated and
// options.migrate is false.
Result<std::unique_ptr<domain::Store>> open_store(const std::string& url,
                                                  const StoreOptions& options = {});

// Applies pending migrations, each in its own transaction. Returns the schema version now in
// place. Refuses (kConflict) when the database is newer than this binary.
Result<int> migrate(const std::string& url);

}  // namespace relais::storage
