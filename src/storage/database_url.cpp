#include "storage/database_url.hpp"

#include <string_view>

namespace relais::storage {

Result<DatabaseUrl> parse_database_url(const std::string& url) {
  const std::string_view text(url);
  if (text.rfind("postgres://", 0) == 0 || text.rfind("postgresql://", 0) == 0) {
    return DatabaseUrl{Engine::kPostgres, url};
  }
  if (text.rfind("sqlite:", 0) != 0) {
    return Error::bad_request(
        "unsupported database URL: use sqlite:<path> or postgresql://... (e.g. "
        "sqlite:data/relais.db)");
  }
  std::string path(text.substr(7));
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  if (path.empty()) return Error::bad_request("the sqlite: URL needs a file path");
  if (path == ":memory:" || path.rfind("file:", 0) == 0) {
    return Error::bad_request(
        "sqlite: needs a plain file path (in-memory databases are not supported)");
  }
  return DatabaseUrl{Engine::kSqlite, path};
}

}  // namespace relais::storage
