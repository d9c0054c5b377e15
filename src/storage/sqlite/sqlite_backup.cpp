#include "storage/sqlite/sqlite_backup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_error.hpp"

namespace relais::storage::sqlite {
namespace {

// Pages copied per sqlite3_backup_step (4 MiB at the default 4 KiB page): small enough that
// the backup yields the disk to the server often, large enough that the step overhead is
// negligible on a 1M-contact database.
constexpr int kPagesPerStep = 1024;

// The schema version recorded in `db`, or 0 when it has no schema_migrations table. Unlike
// current_schema_version() this never writes (the backup source is a live database).
int recorded_version(Connection& db) {
  auto exists = db.prepare(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  exists->step();
  if (exists->column_int64(0) == 0) return 0;
  auto version = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  version->step();
  return static_cast<int>(version->column_int64(0));
}

std::string integrity(Connection& db) {
  auto check = db.prepare("PRAGMA integrity_check");
  std::string result;
  while (check->step()) {
    if (!result.empty()) result += "; ";
    result += check->column_text(0);
  }
  return result;
}

// Copies every page of `from` into `to` in steps. The caller holds a read transaction on
// `from` when it must stay one snapshot: the steps then all read that snapshot, and writes
// by other processes (WAL mode) neither block the copy nor restart it.
void copy_pages(Connection& from, Connection& to) {
  sqlite3_backup* backup = sqlite3_backup_init(to.handle(), "main", from.handle(), "main");
  if (backup == nullptr) {
    throw SqliteError(sqlite3_extended_errcode(to.handle()),
                      std::string("backup: ") + sqlite3_errmsg(to.handle()));
  }
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (rc != SQLITE_OK) break;
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    throw SqliteError(rc, std::string("backup step: ") + sqlite3_errstr(rc));
  }
}

// True when no table of `db` (its own tables, not full-text index internals) holds a row
// besides the migration history.
bool is_empty(Connection& db) {
  std::vector<std::string> tables;
  {
    auto list = db.prepare(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name "
        "NOT IN ('schema_migrations', 'sqlite_sequence', 'sqlite_schema')");
    while (list->step()) tables.push_back(list->column_text(0));
  }
  for (const auto& table : tables) {
    std::string escaped;
    for (char c : table) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
    auto any = db.prepare("SELECT EXISTS (SELECT 1 FROM \"" + escaped + "\")");
    any->step();
    if (any->column_int64(0) != 0) return false;
  }
  return true;
}

void remove_if_present(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

}  // namespace

Result<BackupInfo> backup_file(const std::string& path, const std::string& out_path) {
  if (!std::filesystem::is_regular_file(path)) {
    return Error::not_found("no SQLite database at " + path);
  }
  std::error_code same_ec;
  if (std::filesystem::equivalent(path, out_path, same_ec)) {
    return Error::bad_request("--out names the database itself");
  }
  const std::string temp = out_path + ".partial";
  int version = 0;
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  auto checked = started;
  try {
    Connection source(path, /*create=*/false);
    source.exec("PRAGMA busy_timeout = 5000");
    // The snapshot starts with this read and lasts until COMMIT: the version read here is the
    // version of the pages copied.
    source.exec("BEGIN");
    version = recorded_version(source);
    if (version == 0) {
      source.exec("COMMIT");
      return Error::bad_request(path + " is not a Relais database (no schema_migrations)");
    }
    remove_if_present(temp);
    {
      Connection copy(temp, /*create=*/true);
      copy_pages(source, copy);
      source.exec("COMMIT");
      // A backup is one self-contained file: rollback-journal mode, no -wal beside it.
      copy.exec("PRAGMA journal_mode = DELETE");
      checked = Clock::now();
      const std::string check = integrity(copy);
      if (check != "ok") {
        remove_if_present(temp);
        return Error::internal("the backup failed PRAGMA integrity_check: " + check);
      }
      const int copied = recorded_version(copy);
      if (copied != version) {
        remove_if_present(temp);
        return Error::internal("the backup has schema version " + std::to_string(copied) +
                               " instead of " + std::to_string(version));
      }
    }
  } catch (const SqliteError& e) {
    remove_if_present(temp);
    return Error::internal(std::string("SQLite backup failed: ") + e.what());
  }
  RELAIS_TRY(publish_file(temp, out_path));
  BackupInfo info{"sqlite", version,
                  static_cast<std::int64_t>(std::filesystem::file_size(out_path))};
  info.copy_seconds = std::chrono::duration<double>(checked - started).count();
  info.check_seconds = std::chrono::duration<double>(Clock::now() - checked).count();
  return info;
}

Result<BackupInfo> restore_file(const std::string& from_path, const std::string& path, bool force) {
  if (!std::filesystem::is_regular_file(from_path)) {
    return Error::not_found("no backup file at " + from_path);
  }
  const std::string temp = path + ".restore-partial";
  int version = 0;
  try {
    Connection backup(from_path, /*create=*/false);
    backup.exec("PRAGMA query_only = ON");
    const std::string check = integrity(backup);
    if (check != "ok") {
      return Error::bad_request(from_path +
                                " is not a sound SQLite database (integrity_check: " + check + ")");
    }
    version = recorded_version(backup);
    if (version == 0) {
      return Error::bad_request(from_path + " is not a Relais backup (no schema_migrations)");
    }
    if (version > latest_schema_version()) {
      return Error::conflict("the backup has schema version " + std::to_string(version) +
                             ", newer than this relais binary understands (up to " +
                             std::to_string(latest_schema_version()) + ")");
    }

    // The existing database, if any, held exclusively until the new file replaces it: leaving
    // WAL mode needs every other connection closed, so a running server is detected (and
    // its WAL, which must never be replayed onto the restored file, checkpointed away).
    std::unique_ptr<Connection> existing;
    const auto parent = std::filesystem::path(path).parent_path();
    if (std::filesystem::exists(path)) {
      existing = std::make_unique<Connection>(path, /*create=*/false);
      try {
        existing->exec("PRAGMA journal_mode = DELETE");
        existing->exec("BEGIN EXCLUSIVE");
      } catch (const SqliteError& e) {
        if (e.primary_code() == SQLITE_BUSY || e.primary_code() == SQLITE_LOCKED) {
          return Error::conflict(path +
                                 " is in use (stop every relais serve and worker on it first)");
        }
        if (!force) {
          return Error::conflict(path + " is not a readable SQLite database (" + e.what() +
                                 "); restore --force replaces it");
        }
        existing.reset();  // not a database: nothing to keep out, replaced below
      }
      if (existing && !force && !is_empty(*existing)) {
        existing->exec("ROLLBACK");
        existing->exec("PRAGMA journal_mode = WAL");  // as the servers keep it
        return Error::conflict(path + " is not empty; restore --force replaces its contents");
      }
    } else if (!parent.empty()) {
      std::filesystem::create_directories(parent);
    }

    remove_if_present(temp);
    {
      Connection restored(temp, /*create=*/true);
      copy_pages(backup, restored);
      // The servers run in WAL mode; the last close removes the temporary file's WAL again.
      restored.exec("PRAGMA journal_mode = WAL");
    }
    remove_if_present(path + "-wal");
    remove_if_present(path + "-shm");
    RELAIS_TRY(publish_file(temp, path));
    if (existing) existing->exec("ROLLBACK");
  } catch (const SqliteError& e) {
    remove_if_present(temp);
    return Error::internal(std::string("SQLite restore failed: ") + e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    remove_if_present(temp);
    return Error::internal(std::string("restore failed: ") + e.what());
  }
  return BackupInfo{"sqlite", version,
                    static_cast<std::int64_t>(std::filesystem::file_size(from_path))};
}

}  // namespace relais::storage::sqlite
