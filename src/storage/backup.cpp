#include "storage/backup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "storage/database_url.hpp"
#include "storage/postgres/pg_backup.hpp"
#include "storage/sqlite/sqlite_backup.hpp"

namespace relais::storage {
namespace {

Result<void> sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Error::internal("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) return Error::internal("cannot sync " + path + ": " + std::strerror(saved));
  return ok_result();
}

}  // namespace

Result<void> publish_file(const std::string& temp_path, const std::string& final_path) {
  RELAIS_TRY(sync_path(temp_path, O_RDONLY));
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    const int saved = errno;
    std::remove(temp_path.c_str());
    return Error::internal("cannot rename " + temp_path + " to " + final_path + ": " +
                           std::strerror(saved));
  }
  auto dir = std::filesystem::path(final_path).parent_path();
  if (dir.empty()) dir = ".";
  return sync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

Result<BackupInfo> backup_database(const std::string& url, const std::string& out_path) {
  if (out_path.empty()) return Error::bad_request("--out needs a file name");
  RELAIS_ASSIGN_OR_RETURN(DatabaseUrl db, parse_database_url(url));
  if (db.engine == Engine::kPostgres) return postgres::dump_database(db.location, out_path);
  return sqlite::backup_file(db.location, out_path);
}

Result<BackupInfo> restore_database(const std::string& url, const std::string& from_path,
                                    bool force) {
  RELAIS_ASSIGN_OR_RETURN(DatabaseUrl db, parse_database_url(url));
  if (db.engine == Engine::kPostgres) {
    return postgres::restore_dump(db.location, from_path, force);
  }
  return sqlite::restore_file(from_path, db.location, force);
}

}  // namespace relais::storage
