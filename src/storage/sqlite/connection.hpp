// RAII wrappers over one SQLite connection and its prepared statements.
// <sqlite3.h> stays out of this header: the handles are forward-declared.
//
// Threading: a Connection and its statements are used by one thread at a time (the store
// hands each connection to exactly one worker); they are opened with SQLITE_OPEN_NOMUTEX.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "storage/common/sql_value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace relais::storage::sqlite {

// A value bound to a `?` parameter.
using storage::SqlValue;

// One prepared statement; finalised on destruction.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void bind(int index, std::int64_t value);
  void bind(int index, double value);
  void bind(int index, std::string_view value);
  void bind_null(int index);
  void bind_blob(int index, std::string_view bytes);  // as a BLOB, not TEXT
  void bind(int index, const SqlValue& value);
  void bind_all(const std::vector<SqlValue>& values);  // binds 1..n

  // Advances; true when a row is available. Throws SqliteError on failure.
  bool step();
  // Runs to completion (for statements without result rows).
  void run();
  void reset();  // reset and clear bindings, ready for reuse

  int column_count() const;
  bool is_null(int column) const;
  bool is_integer(int column) const;  // stored as an INTEGER (not text that looks like one)
  bool is_real(int column) const;     // stored as a REAL
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  // The column's text without a copy: valid until the next step(), reset() or column call
  // that converts the column's type.
  std::string_view column_view(int column) const;
  // The column's bytes (a BLOB's, or a TEXT's), valid until the next step() or reset().
  std::string_view column_bytes(int column) const;
  // The column as a JSON scalar by its dynamic SQLite type (null/integer/real/text).
  Json column_value(int column) const;

 private:
  friend class Connection;
  friend class StatementRef;
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool borrowed_ = false;
};

// Binds `value` as its JSON text, or NULL when it is null.
void bind_json_or_null(Statement& stmt, int index, const Json& value);

// A statement borrowed from the connection's cache (or owned when the cached one is already
// in use higher up the stack); reset and returned on destruction.
class StatementRef {
 public:
  explicit StatementRef(Statement* cached) : stmt_(cached) { stmt_->borrowed_ = true; }
  explicit StatementRef(std::unique_ptr<Statement> owned)
      : stmt_(owned.get()), owned_(std::move(owned)) {}
  ~StatementRef();
  StatementRef(StatementRef&& other) noexcept;
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;
  StatementRef& operator=(StatementRef&&) = delete;

  Statement* operator->() const { return stmt_; }
  Statement& operator*() const { return *stmt_; }

 private:
  Statement* stmt_;
  std::unique_ptr<Statement> owned_;
};

class Connection {
 public:
  // Opens (creating when `create`) the database file. Throws SqliteError.
  Connection(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  void exec(std::string_view sql);
  // A prepared statement for `sql`, cached per connection by SQL text.
  StatementRef prepare(const std::string& sql);

  std::int64_t last_insert_rowid() const;
  // Rows inserted, updated or deleted on this connection so far, triggers included.
  std::int64_t total_changes() const;
  int changes() const;  // rows changed by the last INSERT/UPDATE/DELETE

  sqlite3* handle() const { return db_; }

 private:
  static constexpr std::size_t kMaxCachedStatements = 512;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

}  // namespace relais::storage::sqlite
