// Which engine a --db URL names, without opening anything: "sqlite:<path>" (also
// "sqlite://<path>") or "postgresql://..." / "postgres://..." (a libpq URI). Error messages
// never repeat the URL: a PostgreSQL URL may carry a password.
#pragma once

#include <string>

#include "common/result.hpp"

namespace relais::storage {

enum class Engine { kSqlite, kPostgres };

struct DatabaseUrl {
  Engine engine = Engine::kSqlite;
  std::string location;  // the file path (SQLite) or the libpq connection URI (PostgreSQL)
};

Result<DatabaseUrl> parse_database_url(const std::string& url);

}  // namespace relais::storage
