#include "storage/postgres/pg_connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace relais::storage::postgres {
namespace {

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

// Throws the error a failed result carries (and clears it).
[[noreturn]] void throw_result_error(PGresult* result, PGconn* conn) {
  std::string message = result != nullptr ? field(result, PG_DIAG_MESSAGE_PRIMARY) : "";
  if (message.empty()) message = PQerrorMessage(conn);
  std::string sqlstate = result != nullptr ? field(result, PG_DIAG_SQLSTATE) : "";
  std::string constraint = result != nullptr ? field(result, PG_DIAG_CONSTRAINT_NAME) : "";
  std::string column = result != nullptr ? field(result, PG_DIAG_COLUMN_NAME) : "";
  if (result != nullptr) PQclear(result);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  PgError error(message, std::move(sqlstate), std::move(constraint), std::move(column));
  if (error.is_retryable() || error.is_connection_failure()) {
    throw PgAbortError(message, error.sqlstate(), error.constraint(), error.column());
  }
  throw error;
}

void check(PGresult* result, PGconn* conn) {
  const auto status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  throw_result_error(result, conn);
}

// Runs a statement whose result carries nothing (BEGIN, PREPARE, DDL): checked, then cleared.
void run_and_clear(PGresult* result, PGconn* conn) {
  check(result, conn);  // clears and throws on failure
  PQclear(result);
}

// Text parameters travel as C strings: a NUL would silently cut the value short.
void refuse_nul(const std::string& text) {
  if (text.find('\0') != std::string::npos) {
    throw PgError("a text value contains a NUL character", "22021");
  }
}

// Wire forms of the parameters; `values` points into `storage` (or is null for NULL).
// Parameters travel as text, except those `binary` marks: their bytes as they are (bytea's
// binary form), with their length, so a chunk of a file is neither hex-encoded nor cut at a
// NUL.
struct WireParams {
  std::vector<std::string> storage;
  std::vector<const char*> values;
  std::vector<int> lengths;  // empty unless some parameter is binary
  std::vector<int> formats;  // likewise

  WireParams(const std::vector<SqlValue>& params, const std::vector<bool>& binary) {
    storage.reserve(params.size());
    values.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& p = params[i];
      const bool raw = i < binary.size() && binary[i];
      if (std::holds_alternative<std::nullptr_t>(p)) {
        storage.emplace_back();
      } else if (const auto* n = std::get_if<std::int64_t>(&p)) {
        storage.push_back(std::to_string(*n));
      } else if (const auto* d = std::get_if<double>(&p)) {
        storage.push_back(fmt::format("{}", *d));  // shortest form that reads back exactly
      } else {
        const auto& text = std::get<std::string>(p);
        if (!raw) refuse_nul(text);
        storage.push_back(text);
      }
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      values.push_back(std::holds_alternative<std::nullptr_t>(params[i]) ? nullptr
                                                                         : storage[i].c_str());
    }
    if (std::find(binary.begin(), binary.end(), true) != binary.end()) {
      lengths.reserve(params.size());
      formats.reserve(params.size());
      for (std::size_t i = 0; i < params.size(); ++i) {
        lengths.push_back(static_cast<int>(storage[i].size()));
        formats.push_back(i < binary.size() && binary[i] ? 1 : 0);
      }
    }
  }
  const char* const* value_array() const { return values.empty() ? nullptr : values.data(); }
  const int* length_array() const { return lengths.empty() ? nullptr : lengths.data(); }
  const int* format_array() const { return formats.empty() ? nullptr : formats.data(); }
};

}  // namespace

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

int PgResult::rows() const { return PQntuples(result_); }
int PgResult::columns() const { return PQnfields(result_); }
bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view PgResult::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t PgResult::int64(int row, int column) const {
  const std::string_view t = text(row, column);
  std::int64_t value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

double PgResult::float64(int row, int column) const {
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}

bool PgResult::boolean(int row, int column) const {
  const std::string_view t = text(row, column);
  return !t.empty() && t[0] == 't';
}

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(result_);
  return n == nullptr || *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

PgConnection::PgConnection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("cannot connect to PostgreSQL: " + message, "");
  }
  // Server notices (e.g. "relation already exists, skipping") are not errors: keep them out
  // of stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgConnection::exec(std::string_view sql) {
  const std::string text(sql);
  if (!deferred_.empty()) {
    if (text.find(';') == std::string::npos) {
      run_and_clear(run_pipelined(text, false, {}, {}, 0), conn_);
      return;
    }
    // Several statements cannot go through the extended protocol: the deferred ones first.
    run_and_clear(run_pipelined("SELECT 1", false, {}, {}, 0), conn_);
  }
  run_and_clear(PQexec(conn_, text.c_str()), conn_);
}

void PgConnection::defer(std::string sql) { deferred_.push_back(Deferred{std::move(sql)}); }

void PgConnection::defer_query(const std::string& sql, std::vector<SqlValue> params) {
  for (const SqlValue& p : params) {  // now, not from a later statement
    if (const auto* text = std::get_if<std::string>(&p)) refuse_nul(*text);
  }
  std::string name = prepared_name(sql);
  deferred_.push_back(Deferred{std::move(name), true, std::move(params)});
}

const std::string& PgConnection::prepared_name(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    if (prepared_.size() >= kMaxPrepared) {  // dynamic list queries: start over, rarely
      // Queued statements name prepared ones: send them before the names go.
      if (!deferred_.empty()) run_and_clear(run_pipelined("SELECT 1", false, {}, {}, 0), conn_);
      run_and_clear(PQexec(conn_, "DEALLOCATE ALL"), conn_);
      prepared_.clear();
    }
    std::string name = fmt::format("r{}", ++next_statement_);
    run_and_clear(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), conn_);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return it->second;
}

PGresult* PgConnection::run_pipelined(const std::string& last, bool prepared,
                                      const std::vector<SqlValue>& params,
                                      const std::vector<bool>& binary, int result_format) {
  const WireParams wire(params, binary);  // may throw (a NUL in a value): before anything is sent
  std::vector<Deferred> deferred = std::move(deferred_);
  deferred_.clear();
  if (PQenterPipelineMode(conn_) != 1) {
    throw PgAbortError(std::string("cannot enter pipeline mode: ") + PQerrorMessage(conn_), "");
  }
  bool sent = true;
  for (const auto& d : deferred) {
    if (!sent) break;
    if (d.prepared) {
      const WireParams values(d.params, {});  // checked by defer_query: cannot throw
      sent = PQsendQueryPrepared(conn_, d.text.c_str(), static_cast<int>(d.params.size()),
                                 values.value_array(), nullptr, nullptr, 0) == 1;
    } else {
      sent =
          PQsendQueryParams(conn_, d.text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    }
  }
  const int count = static_cast<int>(params.size());
  sent =
      sent &&
      (prepared ? PQsendQueryPrepared(conn_, last.c_str(), count, wire.value_array(),
                                      wire.length_array(), wire.format_array(), result_format)
                : PQsendQueryParams(conn_, last.c_str(), count, nullptr, wire.value_array(),
                                    wire.length_array(), wire.format_array(), result_format)) == 1;
  sent = sent && PQpipelineSync(conn_) == 1;
  if (!sent) {
    // Only a broken connection refuses to queue: nothing more can be read from it.
    broken_ = true;
    throw PgAbortError(std::string("lost the PostgreSQL connection: ") + PQerrorMessage(conn_), "");
  }
  // One result per statement (each followed by a null), then the sync's. The first failure
  // is kept; the statements after it come back as "aborted".
  PGresult* deferred_error = nullptr;
  PGresult* last_result = nullptr;
  for (std::size_t i = 0; i <= deferred.size(); ++i) {
    PGresult* r = PQgetResult(conn_);
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    if (i < deferred.size()) {
      const auto status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
      if (status == PGRES_FATAL_ERROR && deferred_error == nullptr) {
        deferred_error = r;
      } else if (r != nullptr) {
        PQclear(r);
      }
    } else {
      last_result = r;
    }
  }
  // Then the sync's result; a null first only on a connection that broke meanwhile.
  for (PGresult* r = PQgetResult(conn_); r != nullptr; r = PQgetResult(conn_)) {
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) break;
  }
  if (PQexitPipelineMode(conn_) != 1) {
    // Still in pipeline mode with results unread: unusable for the next unit.
    broken_ = true;
    if (deferred_error != nullptr) PQclear(deferred_error);
    if (last_result != nullptr) PQclear(last_result);
    throw PgAbortError(std::string("lost the PostgreSQL connection: ") + PQerrorMessage(conn_), "");
  }
  if (deferred_error != nullptr) {
    if (last_result != nullptr) PQclear(last_result);
    std::string message = field(deferred_error, PG_DIAG_MESSAGE_PRIMARY);
    std::string sqlstate = field(deferred_error, PG_DIAG_SQLSTATE);
    PQclear(deferred_error);
    throw PgAbortError("a deferred statement failed: " + message, std::move(sqlstate));
  }
  return last_result;
}

PgResult PgConnection::query(const std::string& sql, const std::vector<SqlValue>& params) {
  return execute(sql, params, {}, 0);
}

PgResult PgConnection::query_binary(const std::string& sql, const std::vector<SqlValue>& params,
                                    const std::vector<bool>& binary_params, bool binary_result) {
  return execute(sql, params, binary_params, binary_result ? 1 : 0);
}

PgResult PgConnection::execute(const std::string& sql, const std::vector<SqlValue>& params,
                               const std::vector<bool>& binary, int result_format) {
  const std::string& name = prepared_name(sql);
  PGresult* result = nullptr;
  if (deferred_.empty()) {
    const WireParams wire(params, binary);
    result =
        PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), wire.value_array(),
                       wire.length_array(), wire.format_array(), result_format);
  } else {
    result = run_pipelined(name, true, params, binary, result_format);
  }
  check(result, conn_);
  return PgResult(result);
}

bool PgConnection::healthy() const {
  return conn_ != nullptr && !broken_ && PQstatus(conn_) == CONNECTION_OK;
}

std::optional<PgNotification> PgConnection::next_notification() {
  if (PQconsumeInput(conn_) == 0) {
    throw PgAbortError(std::string("lost the PostgreSQL connection: ") + PQerrorMessage(conn_), "");
  }
  PGnotify* n = PQnotifies(conn_);
  if (n == nullptr) return std::nullopt;
  PgNotification out{n->relname, n->extra != nullptr ? n->extra : ""};
  PQfreemem(n);
  return out;
}

void PgConnection::wait_readable(int timeout_ms) {
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  ::poll(&fd, 1, timeout_ms);
}

int PgConnection::socket() const { return PQsocket(conn_); }
int PgConnection::backend_pid() const { return PQbackendPID(conn_); }

}  // namespace relais::storage::postgres
