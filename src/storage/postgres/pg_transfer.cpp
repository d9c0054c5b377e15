#include "storage/postgres/pg_transfer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "storage/common/keyset.hpp"
#include "storage/postgres/pg_migrations.hpp"

namespace relais::storage::postgres {
namespace {

// PostgreSQL takes at most 65535 parameters per statement; rows per INSERT stay below both.
constexpr std::size_t kMaxParams = 60000;
constexpr std::size_t kMaxRowsPerInsert = 500;

std::string column_list(const TransferTable& table) {
  std::string out;
  for (const auto& c : table.columns) {
    if (!out.empty()) out += ", ";
    out += quote_ident(c.name);
  }
  return out;
}

// What the SELECT list reads for `column` of a table aliased t: its neutral value
// (ColumnRole).
std::string read_expression(const TransferColumn& column) {
  std::string name = "t." + quote_ident(column.name);
  switch (column.role) {
    case ColumnRole::kOutboxCursorId:
      // One less than the lowest id of an event after the position (tx, id) yet not above
      // the cursor's id; the cursor's id when no such event exists. An indexed range below
      // the cursor, once per consumer.
      return fmt::format(
          "coalesce((SELECT min(e.id) - 1 FROM outbox_events AS e WHERE (e.tx, e.id) > "
          "(t.last_event_tx, {0}) AND e.id <= {0}), {0})",
          name);
    case ColumnRole::kPlain:
      break;
  }
  return name;
}

std::string read_list(const TransferTable& table) {
  std::string out;
  for (const auto& c : table.columns) {
    if (!out.empty()) out += ", ";
    out += read_expression(c);
  }
  return out;
}

// The SQL value the copy writes into a column of PostgreSQL's own (EngineFill).
const char* fill_expression(EngineFill fill) {
  switch (fill) {
    case EngineFill::kCopyTransactionId:
      return "pg_current_xact_id()";
  }
  throw std::logic_error("an EngineFill PostgreSQL does not know");
}

// bytea's text form: \x and two hex digits per byte.
std::string bytea_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error("a bytea value is not in hex form");
}

std::string from_bytea_hex(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    throw std::runtime_error("a bytea value is not in hex form");
  }
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    out += static_cast<char>(hex_digit(text[i]) * 16 + hex_digit(text[i + 1]));
  }
  return out;
}

SqlValue to_param(const TransferValue& value, ColumnType type = ColumnType::kText) {
  if (const auto* s = std::get_if<std::string>(&value);
      s != nullptr && type == ColumnType::kBytes) {
    return bytea_hex(*s);
  }
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* b = std::get_if<bool>(&value)) return std::string(*b ? "true" : "false");
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return nullptr;
}

TransferValue read_value(const PgResult& result, int row, int column, ColumnType type) {
  if (result.is_null(row, column)) return nullptr;
  switch (type) {
    case ColumnType::kInteger:
      return result.int64(row, column);
    case ColumnType::kBoolean:
      return result.boolean(row, column);
    case ColumnType::kJson:
      return canonical_json(result.text(row, column));
    case ColumnType::kBytes:
      return from_bytea_hex(result.text(row, column));
    case ColumnType::kText:
      break;
  }
  return std::string(result.text(row, column));
}

}  // namespace

PgTransfer::PgTransfer(const std::string& url) : db_(url) {}

int PgTransfer::schema_version() { return current_schema_version(db_); }

Result<int> PgTransfer::migrate() { return migrate_database(db_, /*apply=*/true); }

void PgTransfer::begin_read() { db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
void PgTransfer::end_read() { db_.exec("COMMIT"); }
void PgTransfer::begin_write() { db_.exec("BEGIN"); }
void PgTransfer::commit() { db_.exec("COMMIT"); }
void PgTransfer::rollback() { db_.exec("ROLLBACK"); }

std::int64_t PgTransfer::count_rows(const TransferTable& table) {
  return db_.query("SELECT count(*) FROM " + quote_ident(table.name)).int64(0, 0);
}

std::vector<TransferRow> PgTransfer::read_batch(const TransferTable& table,
                                                const TransferValue& after, std::size_t limit) {
  const std::string key = quote_ident(table.columns[0].name);
  const bool first = std::holds_alternative<std::nullptr_t>(after);
  std::vector<SqlValue> params;
  if (!first) params.push_back(to_param(after));
  params.emplace_back(static_cast<std::int64_t>(limit));
  auto result = db_.query(fmt::format("SELECT {} FROM {} AS t {} ORDER BY t.{} LIMIT ${}",
                                      read_list(table), quote_ident(table.name),
                                      first ? "" : "WHERE t." + key + " > $1", key, params.size()),
                          params);
  std::vector<TransferRow> rows;
  rows.reserve(static_cast<std::size_t>(result.rows()));
  for (int r = 0; r < result.rows(); ++r) {
    TransferRow row;
    row.reserve(table.columns.size());
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      row.push_back(read_value(result, r, static_cast<int>(c), table.columns[c].type));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void PgTransfer::clear_all() {
  // One TRUNCATE of every table: foreign keys between them do not get in the way.
  std::string names;
  for (const auto& table : transfer_tables()) {
    if (!names.empty()) names += ", ";
    names += quote_ident(table.name);
  }
  db_.exec("TRUNCATE " + names + " RESTART IDENTITY");
}

void PgTransfer::write_batch(const TransferTable& table, const std::vector<TransferRow>& rows) {
  const std::size_t width = table.columns.size();
  const std::size_t per_insert = std::min(kMaxRowsPerInsert, kMaxParams / width);
  std::string columns = column_list(table);
  std::string fills;  // PostgreSQL's own columns, the same value on every row
  for (const auto& own : table.engine_only) {
    if (own.engine != Engine::kPostgres) continue;
    columns += ", " + quote_ident(own.name);
    fills += fmt::format(", {}", fill_expression(own.fill));
  }
  const std::string head =
      fmt::format("INSERT INTO {} ({}) VALUES ", quote_ident(table.name), columns);
  for (std::size_t start = 0; start < rows.size(); start += per_insert) {
    const std::size_t count = std::min(per_insert, rows.size() - start);
    std::string sql = head;
    std::vector<SqlValue> params;
    params.reserve(count * width);
    for (std::size_t r = 0; r < count; ++r) {
      sql += r == 0 ? "(" : ", (";
      for (std::size_t c = 0; c < width; ++c) {
        const bool deferred =
            table.self_reference && table.columns[c].name == *table.self_reference;
        params.push_back(deferred ? SqlValue(nullptr)
                                  : to_param(rows[start + r][c], table.columns[c].type));
        sql += fmt::format("{}${}", c == 0 ? "" : ", ", params.size());
      }
      sql += fills + ")";
    }
    db_.query(sql, params);
  }
}

void PgTransfer::write_self_references(const TransferTable& table,
                                       const std::vector<TransferRow>& rows) {
  std::size_t column = 0;
  while (table.columns[column].name != *table.self_reference) ++column;
  const std::string sql =
      fmt::format("UPDATE {} SET {} = $1 WHERE {} = $2", quote_ident(table.name),
                  quote_ident(*table.self_reference), quote_ident(table.columns[0].name));
  for (const auto& row : rows) {
    if (std::holds_alternative<std::nullptr_t>(row[column])) continue;
    db_.query(sql, {to_param(row[column]), to_param(row[0])});
  }
}

std::int64_t PgTransfer::last_issued_id(const TransferTable& table) {
  // NULL until the sequence has issued a value. Sequences are not transactional: a value
  // issued after the read snapshot began only leaves a gap on the target.
  return db_
      .query("SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass), 0)",
             params(quote_ident(table.name), table.columns[0].name))
      .int64(0, 0);
}

void PgTransfer::finish(const std::map<std::string, std::int64_t>& last_ids) {
  for (const auto& table : transfer_tables()) {
    if (!table.identity) continue;
    const std::string name = quote_ident(table.name);
    const auto last = last_ids.find(table.name);
    // The next id is one above max(id) and the source's last issued id (1 when both are 0).
    db_.query(fmt::format("SELECT setval(pg_get_serial_sequence($1, $2), "
                          "greatest(coalesce((SELECT max({}) FROM {}), 0), $3::bigint) + 1, false)",
                          quote_ident(table.columns[0].name), name),
              params(name, table.columns[0].name,
                     last == last_ids.end() ? std::int64_t{0} : last->second));
  }
  // Planner statistics for the copied rows, committed with them: without them the first
  // queries on a freshly filled database are planned for empty tables until autovacuum
  // gets round to analysing each one. (ANALYZE counts the transaction's own rows.)
  for (const auto& table : transfer_tables()) db_.exec("ANALYZE " + quote_ident(table.name));
}

}  // namespace relais::storage::postgres
