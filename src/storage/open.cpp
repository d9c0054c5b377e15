#include "storage/open.hpp"

#include <filesystem>
#include <system_error>

#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/postgres/pg_store.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_error.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace relais::storage {
namespace {

// The file path of a "sqlite:<path>" URL (also "sqlite://<path>"). The URL is never echoed
// back in errors: other schemes may carry credentials.
Result<std::string> sqlite_path(const std::string& url) {
  const std::string_view text(url);
  if (text.rfind("sqlite:", 0) != 0) {
    return Error::bad_request(
        "unsupported database URL: use sqlite:<path> (e.g. sqlite:data/relais.db) or "
        "postgresql://user@host/database");
  }
  std::string path(text.substr(7));
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  if (path.empty()) return Error::bad_request("the sqlite: URL needs a file path");
  if (path == ":memory:" || path.rfind("file:", 0) == 0) {
    return Error::bad_request(
        "sqlite: needs a plain file path (in-memory databases are not supported)");
  }
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Error::internal("cannot create the database directory " + parent.string() + ": " +
                             ec.message());
    }
  }
  return path;
}

bool is_postgres_url(std::string_view url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

}  // namespace

Result<std::unique_ptr<domain::Store>> open_store(const std::string& url,
                                                  const StoreOptions& options) {
  if (is_postgres_url(url)) {
    RELAIS_ASSIGN_OR_RETURN(auto store, postgres::PgStore::open(url, options));
    return std::unique_ptr<domain::Store>(std::move(store));
  }
  RELAIS_ASSIGN_OR_RETURN(std::string path, sqlite_path(url));
  RELAIS_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::open(path, options));
  return std::unique_ptr<domain::Store>(std::move(store));
}

Result<int> migrate(const std::string& url) {
  if (is_postgres_url(url)) {
    try {
      postgres::PgConnection db(url);
      return postgres::migrate_database(db, /*apply=*/true);
    } catch (const postgres::PgError& e) {
      return Error::internal(e.what());
    }
  }
  RELAIS_ASSIGN_OR_RETURN(std::string path, sqlite_path(url));
  try {
    sqlite::Connection db(path, /*create=*/true);
    sqlite::configure_connection(db, false);
    return sqlite::migrate_database(db, /*apply=*/true);
  } catch (const sqlite::SqliteError& e) {
    return Error::internal(std::string("cannot migrate the SQLite database: ") + e.what());
  }
}

}  // namespace relais::storage
