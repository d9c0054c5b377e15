#include "storage/postgres/pg_backup.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/postgres/pg_tools.hpp"

namespace relais::storage::postgres {
namespace {

void remove_if_present(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

// Every table of the database outside the system schemas, as a quoted qualified name.
std::vector<std::string> user_tables(PgConnection& db) {
  auto rows = db.query(
      "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relname "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1");
  std::vector<std::string> tables;
  tables.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) tables.emplace_back(rows.text(i, 0));
  return tables;
}

bool has_rows_besides_migrations(PgConnection& db, const std::vector<std::string>& tables) {
  return std::any_of(tables.begin(), tables.end(), [&](const std::string& table) {
    if (table == "public.schema_migrations") return false;
    // `table` comes from quote_ident on the catalogue, not from outside input.
    return db.query("SELECT EXISTS (SELECT 1 FROM " + table + ")").boolean(0, 0);
  });
}

}  // namespace

Result<int> archive_schema_version(const std::string& path) {
  RELAIS_ASSIGN_OR_RETURN(
      ToolRun run,
      run_tool("pg_restore", {"--data-only", "--table=schema_migrations", "--file=-", path}, {}));
  if (run.exit_code != 0) {
    return Error::bad_request(path + " is not a pg_dump archive (" + run.err + ")");
  }
  std::istringstream lines(run.out);
  std::string line;
  bool in_copy = false;
  int version = 0;
  while (std::getline(lines, line)) {
    if (!in_copy) {
      in_copy = line.rfind("COPY public.schema_migrations ", 0) == 0;
      continue;
    }
    if (line == "\\.") break;
    try {
      version = std::max(version, std::stoi(line.substr(0, line.find('\t'))));
    } catch (const std::exception&) {
      return Error::bad_request(path + ": unreadable schema_migrations row in the archive");
    }
  }
  return version;
}

Result<BackupInfo> dump_database(const std::string& url, const std::string& out_path) {
  RELAIS_ASSIGN_OR_RETURN(ToolConnection connection, tool_connection(url));
  try {
    PgConnection db(url);
    if (current_schema_version(db) == 0) {
      return Error::bad_request("the database is not a Relais database (no schema_migrations)");
    }
  } catch (const PgError& e) {
    return Error::internal(e.what());
  }
  const std::string temp = out_path + ".partial";
  remove_if_present(temp);
  RELAIS_ASSIGN_OR_RETURN(
      ToolRun run,
      run_tool("pg_dump", {"--format=custom", "--file=" + temp, "--dbname=" + connection.conninfo},
               connection));
  if (run.exit_code != 0) {
    remove_if_present(temp);
    return Error::internal("pg_dump failed (exit " + std::to_string(run.exit_code) +
                           "): " + run.err);
  }
  auto version = archive_schema_version(temp);
  if (!version.ok() || *version == 0) {
    remove_if_present(temp);
    return Error::internal("pg_dump wrote an archive without the schema version");
  }
  RELAIS_TRY(publish_file(temp, out_path));
  return BackupInfo{"postgresql", *version,
                    static_cast<std::int64_t>(std::filesystem::file_size(out_path))};
}

Result<BackupInfo> restore_dump(const std::string& url, const std::string& from_path, bool force) {
  if (!std::filesystem::is_regular_file(from_path)) {
    return Error::not_found("no backup file at " + from_path);
  }
  RELAIS_ASSIGN_OR_RETURN(int version, archive_schema_version(from_path));
  if (version == 0) return Error::bad_request(from_path + " is not a Relais backup");
  if (version > latest_schema_version()) {
    return Error::conflict("the backup has schema version " + std::to_string(version) +
                           ", newer than this relais binary understands (up to " +
                           std::to_string(latest_schema_version()) + ")");
  }
  RELAIS_ASSIGN_OR_RETURN(ToolConnection connection, tool_connection(url));
  std::vector<std::string> args{"--dbname=" + connection.conninfo,
                                "--single-transaction",
                                "--exit-on-error",
                                "--no-owner",
                                "--no-privileges",
                                "--no-comments"};
  try {
    PgConnection db(url);
    const auto tables = user_tables(db);
    if (!force && has_rows_besides_migrations(db, tables)) {
      return Error::conflict("the database is not empty; restore --force replaces its contents");
    }
    // Tables already there (a migrated database, or --force): dropped and recreated by the
    // restore itself, in its transaction.
    if (!tables.empty()) {
      args.emplace_back("--clean");
      args.emplace_back("--if-exists");
    }
  } catch (const PgError& e) {
    return Error::internal(e.what());
  }
  args.push_back(from_path);
  RELAIS_ASSIGN_OR_RETURN(ToolRun run, run_tool("pg_restore", args, connection));
  if (run.exit_code != 0) {
    return Error::internal("pg_restore failed (exit " + std::to_string(run.exit_code) +
                           "); the database is unchanged: " + run.err);
  }
  try {
    PgConnection db(url);
    const int restored = current_schema_version(db);
    if (restored != version) {
      return Error::internal("the restored database has schema version " +
                             std::to_string(restored) + " instead of " + std::to_string(version));
    }
  } catch (const PgError& e) {
    return Error::internal(std::string("cannot check the restored database: ") + e.what());
  }
  return BackupInfo{"postgresql", version,
                    static_cast<std::int64_t>(std::filesystem::file_size(from_path))};
}

}  // namespace relais::storage::postgres
