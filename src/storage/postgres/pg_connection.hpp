// RAII wrappers over one libpq connection and its results. <libpq-fe.h> stays out of this
// header: the handles are forward-declared.
//
// Every statement with parameters goes through the extended protocol as a named prepared
// statement, cached per connection by SQL text; parameters travel as text with their types
// left to the server (inferred from the statement). Nothing user-supplied is ever spliced
// into SQL text.
//
// Threading: a PgConnection and its results are used by one thread at a time (the pool hands
// each connection to exactly one unit of work).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "domain/unit_aborted.hpp"
#include "storage/common/sql_value.hpp"

struct pg_conn;
struct pg_result;

namespace relais::storage::postgres {

// A failed statement or connection. `sqlstate` is the five-character SQLSTATE ("23505"),
// empty for connection-level failures.
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate, std::string constraint = {},
          std::string column = {})
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)),
        column_(std::move(column)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }  // name, when one failed
  const std::string& column() const { return column_; }          // e.g. for NOT NULL
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  bool is_foreign_key_violation() const { return sqlstate_ == "23503"; }
  bool is_not_null_violation() const { return sqlstate_ == "23502"; }
  bool is_constraint() const { return sqlstate_.rfind("23", 0) == 0; }
  // Serialization failure or deadlock: the whole transaction may be retried.
  bool is_retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  // Bad data in a parameter (a text where a number was expected, out of range, ...).
  bool is_data_exception() const { return sqlstate_.rfind("22", 0) == 0; }
  bool is_connection_failure() const { return sqlstate_.empty() || sqlstate_.rfind("08", 0) == 0; }

 private:
  std::string sqlstate_;
  std::string constraint_;
  std::string column_;
};

// A PgError that dooms the transaction as a whole (serialization failure, deadlock, lost
// connection): the store runs the unit again, so code inside units lets it through.
class PgAbortError final : public PgError, public domain::UnitAborted {
 public:
  using PgError::PgError;
};

// The rows of one statement; cleared on destruction.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PgResult& operator=(PgResult&&) = delete;

  int rows() const;
  int columns() const;
  bool is_null(int row, int column) const;
  std::string_view text(int row, int column) const;  // "" for NULL
  std::int64_t int64(int row, int column) const;     // 0 for NULL
  double float64(int row, int column) const;
  bool boolean(int row, int column) const;  // 't' / 'f'
  // Rows inserted, updated or deleted by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

// A NOTIFY received on a LISTENed channel.
struct PgNotification {
  std::string channel;
  std::string payload;
};

class PgConnection {
 public:
  // Connects with a libpq connection string or URI ("postgresql://user@/db?host=/run/pg").
  // Throws PgError; the message never repeats the connection string (it may hold a password).
  explicit PgConnection(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one or more statements without parameters or results (DDL, BEGIN/COMMIT, SET).
  // Deferred statements go first, in the same round trip when `sql` is a single statement.
  void exec(std::string_view sql);
  // Runs `sql` ($1, $2, ... placeholders) as a cached prepared statement, after the deferred
  // statements, in one round trip with them.
  PgResult query(const std::string& sql, const std::vector<SqlValue>& params = {});
  // As query(), with the parameters `binary_params` marks sent as their raw bytes (a bytea's
  // binary form: no hex doubling, NULs allowed) and, when `binary_result`, every result
  // column in binary form (a bytea column is then its raw bytes: select only such columns).
  PgResult query_binary(const std::string& sql, const std::vector<SqlValue>& params,
                        const std::vector<bool>& binary_params, bool binary_result);

  // Queues one statement without parameters or rows (BEGIN, SAVEPOINT, RELEASE SAVEPOINT) to
  // be sent with the next exec() or query() in one round trip (libpq pipeline mode): a unit
  // of work then pays one round trip per statement that returns something, not per
  // statement. A deferred statement that fails throws PgAbortError from that next call:
  // which step it belonged to is no longer known, so the whole unit is doomed.
  void defer(std::string sql);
  // Queues `sql` with its parameters as a cached prepared statement, sent like defer()'s: for
  // writes whose result nobody reads and that no constraint can refuse (audit entries, outbox
  // events), which then cost no round trip of their own. A NUL in a text value throws here,
  // as query() would.
  void defer_query(const std::string& sql, std::vector<SqlValue> params);
  // Drops the deferred statements unsent: the transaction is being rolled back anyway.
  void discard_deferred() { deferred_.clear(); }

  // False once the server connection is lost (the pool then replaces it).
  bool healthy() const;
  // Reads what arrived on the socket without blocking and returns the next notification.
  std::optional<PgNotification> next_notification();
  // Waits up to `timeout_ms` for the socket to become readable (a notification).
  void wait_readable(int timeout_ms);
  // The connection's socket (to wait on it with others) and its server process id (what
  // pg_terminate_backend takes).
  int socket() const;
  int backend_pid() const;

 private:
  static constexpr std::size_t kMaxPrepared = 512;
  // The name of the prepared statement for `sql`, preparing it first when new.
  const std::string& prepared_name(const std::string& sql);
  // Sends the deferred statements, then `last` (a prepared statement's name with parameters,
  // or a single statement's text when `prepared` is false), in one pipeline; returns the
  // result of `last`. Throws as described at defer().
  pg_result* run_pipelined(const std::string& last, bool prepared,
                           const std::vector<SqlValue>& params, const std::vector<bool>& binary,
                           int result_format);
  PgResult execute(const std::string& sql, const std::vector<SqlValue>& params,
                   const std::vector<bool>& binary, int result_format);

  pg_conn* conn_ = nullptr;
  struct Deferred {
    std::string text;  // the statement, or a prepared statement's name when `prepared`
    bool prepared = false;
    std::vector<SqlValue> params;
  };
  std::vector<Deferred> deferred_;
  bool broken_ = false;  // a pipeline left unfinished: dropped by the pool
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::uint64_t next_statement_ = 0;
};

// Convenience for statements with a fixed list of parameters.
inline std::vector<SqlValue> params() { return {}; }
template <typename... Args>
std::vector<SqlValue> params(Args&&... args) {
  return {SqlValue(std::forward<Args>(args))...};
}

}  // namespace relais::storage::postgres
