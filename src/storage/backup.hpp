// `relais backup` and `relais restore`, for either engine (storage/database_url.hpp picks
// it from the URL):
// - SQLite: the online backup API, in steps, from one read snapshot held for the whole copy
//   (WAL mode: the server's writer is never blocked; the copy is the database as of the
//   moment the backup started). The result is a self-contained database file (rollback
//   journal mode), checked with PRAGMA integrity_check and for the same schema version.
//   Restore refuses a database in use or not empty (unless `force`), writes a temporary file
//   beside it and renames it into place.
// - PostgreSQL: Debian's pg_dump (custom format) and pg_restore (one transaction), run as
//   child processes without a shell; a password in the URL reaches them in their
//   environment (PGPASSWORD), never on their command line or in a message.
// Both write the output file under a temporary name and rename it when complete (and
// synced), so a failed backup never leaves a truncated file under the requested name.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace relais::storage {

struct BackupInfo {
  const char* engine = "";  // "sqlite" or "postgresql"
  int schema_version = 0;
  std::int64_t bytes = 0;  // size of the backup file
  // Backup only: seconds spent copying, and checking the copy (SQLite: integrity_check).
  double copy_seconds = 0;
  double check_seconds = 0;
};

Result<BackupInfo> backup_database(const std::string& url, const std::string& out_path);

// kConflict when the target is not empty and !force, or (SQLite) in use by a server.
Result<BackupInfo> restore_database(const std::string& url, const std::string& from_path,
                                    bool force);

// Makes a finished file durable and gives it its final name: fsync(temp), rename(temp,
// final), fsync(directory).
Result<void> publish_file(const std::string& temp_path, const std::string& final_path);

}  // namespace relais::storage
