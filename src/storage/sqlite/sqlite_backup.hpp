// SQLite side of `relais backup` / `relais restore` (see storage/backup.hpp for the
// contract). Opens its own connections; safe to run while servers use the database (backup)
// — restore refuses a database any other connection has open.
#pragma once

#include <string>

#include "storage/backup.hpp"

namespace relais::storage::sqlite {

Result<BackupInfo> backup_file(const std::string& path, const std::string& out_path);
Result<BackupInfo> restore_file(const std::string& from_path, const std::string& path, bool force);

}  // namespace relais::storage::sqlite
