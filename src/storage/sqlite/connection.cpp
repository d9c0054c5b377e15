#include "storage/sqlite/connection.hpp"

#include <sqlite3.h>

#include "storage/sqlite/sqlite_error.hpp"

namespace relais::storage::sqlite {
namespace {

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view what) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(extended, message);
}

}  // namespace

bool SqliteError::is_constraint() const { return primary_code() == SQLITE_CONSTRAINT; }
bool SqliteError::is_unique_violation() const {
  return extended_code_ == SQLITE_CONSTRAINT_UNIQUE ||
         extended_code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}
bool SqliteError::is_foreign_key_violation() const {
  return extended_code_ == SQLITE_CONSTRAINT_FOREIGNKEY;
}
bool SqliteError::is_not_null_violation() const {
  return extended_code_ == SQLITE_CONSTRAINT_NOTNULL;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_error(db, rc, "prepare");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
}
void Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
}
void Statement::bind(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
}
void Statement::bind_blob(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
}
void Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
}
void Statement::bind(int index, const SqlValue& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) return bind_null(index);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return bind(index, *i);
  if (const auto* d = std::get_if<double>(&value)) return bind(index, *d);
  bind(index, std::string_view(std::get<std::string>(value)));
}
void Statement::bind_all(const std::vector<SqlValue>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) bind(static_cast<int>(i + 1), values[i]);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
bool Statement::is_integer(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER;
}
bool Statement::is_real(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_FLOAT;
}
std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}
std::string_view Statement::column_view(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view Statement::column_bytes(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_, column);
  if (bytes == nullptr) return {};
  return {static_cast<const char*>(bytes),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}
Json Statement::column_value(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_NULL:
      return nullptr;
    case SQLITE_INTEGER:
      return column_int64(column);
    case SQLITE_FLOAT:
      return column_double(column);
    default:
      return column_text(column);
  }
}

StatementRef::~StatementRef() {
  if (stmt_ == nullptr) return;
  stmt_->reset();
  stmt_->borrowed_ = false;
}

StatementRef::StatementRef(StatementRef&& other) noexcept
    : stmt_(other.stmt_), owned_(std::move(other.owned_)) {
  other.stmt_ = nullptr;
}

namespace {
// Process-wide SQLite settings, applied once before the library initialises (sqlite3_config
// is refused afterwards). Memory statistics are off: with them on, every sqlite3_malloc and
// sqlite3_free takes one global mutex shared by all connections, which showed up as ~5 % of
// the writer's time on bulk imports, and nothing here reads those statistics.
void configure_sqlite_once() {
  static const int configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize();
  }();
  (void)configured;
}
}  // namespace

Connection::Connection(const std::string& path, bool create) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database " + path + ": " +
                          (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  cache_.clear();  // statements must be finalised before the connection closes
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(sqlite3_extended_errcode(db_), "exec: " + what);
  }
}

StatementRef Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    if (!it->second->borrowed_) return StatementRef(it->second.get());
    // Same SQL already running further up the stack: use a private copy.
    return StatementRef(std::make_unique<Statement>(db_, sql));
  }
  if (cache_.size() >= kMaxCachedStatements) {
    // Dynamic list queries can produce many shapes; drop the idle ones rather than grow.
    for (auto i = cache_.begin(); i != cache_.end();) {
      i = i->second->borrowed_ ? std::next(i) : cache_.erase(i);
    }
  }
  auto stmt = std::make_unique<Statement>(db_, sql);
  Statement* raw = stmt.get();
  cache_.emplace(sql, std::move(stmt));
  return StatementRef(raw);
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t Connection::total_changes() const { return sqlite3_total_changes64(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

void bind_json_or_null(Statement& stmt, int index, const Json& value) {
  if (value.is_null()) {
    stmt.bind_null(index);
  } else {
    stmt.bind(index, std::string_view(value.dump()));
  }
}

}  // namespace relais::storage::sqlite
