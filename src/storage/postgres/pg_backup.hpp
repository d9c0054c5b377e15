// PostgreSQL side of `relais backup` / `relais restore` (contract in storage/backup.hpp):
// pg_dump --format=custom and pg_restore in one transaction, through pg_tools.hpp.
#pragma once

#include <string>

#include "storage/backup.hpp"

namespace relais::storage::postgres {

Result<BackupInfo> dump_database(const std::string& url, const std::string& out_path);
// An empty target (no tables, or only empty ones) is restored into; a non-empty one only
// with `force`. Existing objects are dropped and recreated inside the restore's one
// transaction, so a failed restore leaves the target as it was.
Result<BackupInfo> restore_dump(const std::string& url, const std::string& from_path, bool force);

// The highest schema_migrations version in a custom-format archive; 0 when it has none.
// kBadRequest when the file is not a pg_dump archive.
Result<int> archive_schema_version(const std::string& path);

}  // namespace relais::storage::postgres
