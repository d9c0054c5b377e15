#include "storage/sqlite/sqlite_transfer.hpp"

#include <fmt/format.h>

#include "storage/common/keyset.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_error.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace relais::storage::sqlite {
namespace {

std::string column_list(const TransferTable& table) {
  std::string out;
  for (const auto& c : table.columns) {
    if (!out.empty()) out += ", ";
    out += quote_ident(c.name);
  }
  return out;
}

[[noreturn]] void bad_value(const TransferTable& table, const TransferColumn& column,
                            const char* expected) {
  throw SqliteError(
      0, fmt::format("{}.{} holds a value that is not {}", table.name, column.name, expected));
}

TransferValue read_value(Statement& stmt, int index, const TransferTable& table,
                         const TransferColumn& column) {
  if (stmt.is_null(index)) return nullptr;
  switch (column.type) {
    case ColumnType::kInteger:
      if (!stmt.is_integer(index)) bad_value(table, column, "an integer");
      return stmt.column_int64(index);
    case ColumnType::kBoolean: {
      if (!stmt.is_integer(index)) bad_value(table, column, "a boolean (0 or 1)");
      const std::int64_t v = stmt.column_int64(index);
      if (v != 0 && v != 1) bad_value(table, column, "a boolean (0 or 1)");
      return v == 1;
    }
    case ColumnType::kJson:
      try {
        return canonical_json(stmt.column_text(index));
      } catch (const Json::exception&) {
        bad_value(table, column, "JSON");
      }
    case ColumnType::kBytes:
      return std::string(stmt.column_bytes(index));
    case ColumnType::kText:
      break;
  }
  return stmt.column_text(index);
}

void bind_value(Statement& stmt, int index, const TransferValue& value,
                ColumnType type = ColumnType::kText) {
  if (const auto* s = std::get_if<std::string>(&value);
      s != nullptr && type == ColumnType::kBytes) {
    return stmt.bind_blob(index, *s);
  }
  if (const auto* i = std::get_if<std::int64_t>(&value)) return stmt.bind(index, *i);
  if (const auto* b = std::get_if<bool>(&value)) return stmt.bind(index, std::int64_t{*b ? 1 : 0});
  if (const auto* s = std::get_if<std::string>(&value))
    return stmt.bind(index, std::string_view(*s));
  stmt.bind_null(index);
}

}  // namespace

SqliteTransfer::SqliteTransfer(const std::string& path, bool create) : db_(path, create) {
  configure_connection(db_, /*reader=*/false);
}

int SqliteTransfer::schema_version() {
  auto exists = db_.prepare(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  exists->step();
  if (exists->column_int64(0) == 0) return 0;
  return current_schema_version(db_);
}

Result<int> SqliteTransfer::migrate() { return migrate_database(db_, /*apply=*/true); }

void SqliteTransfer::begin_read() {
  db_.exec("BEGIN");
  db_.exec("SELECT count(*) FROM sqlite_schema");  // the snapshot starts at the first read
}
void SqliteTransfer::end_read() { db_.exec("COMMIT"); }
void SqliteTransfer::begin_write() { db_.exec("BEGIN IMMEDIATE"); }
void SqliteTransfer::commit() { db_.exec("COMMIT"); }
void SqliteTransfer::rollback() { db_.exec("ROLLBACK"); }

std::int64_t SqliteTransfer::count_rows(const TransferTable& table) {
  auto stmt = db_.prepare("SELECT count(*) FROM " + quote_ident(table.name));
  stmt->step();
  return stmt->column_int64(0);
}

std::vector<TransferRow> SqliteTransfer::read_batch(const TransferTable& table,
                                                    const TransferValue& after, std::size_t limit) {
  const std::string key = quote_ident(table.columns[0].name);
  const bool first = std::holds_alternative<std::nullptr_t>(after);
  auto stmt =
      db_.prepare(fmt::format("SELECT {} FROM {} {} ORDER BY {} LIMIT ?", column_list(table),
                              quote_ident(table.name), first ? "" : "WHERE " + key + " > ?", key));
  int index = 1;
  if (!first) bind_value(*stmt, index++, after);
  stmt->bind(index, static_cast<std::int64_t>(limit));
  std::vector<TransferRow> rows;
  while (stmt->step()) {
    TransferRow row;
    row.reserve(table.columns.size());
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      row.push_back(read_value(*stmt, static_cast<int>(c), table, table.columns[c]));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void SqliteTransfer::clear_all() {
  const auto& tables = transfer_tables();
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
    db_.exec("DELETE FROM " + quote_ident(it->name));
  }
  db_.exec("DELETE FROM sqlite_sequence");
}

void SqliteTransfer::write_batch(const TransferTable& table, const std::vector<TransferRow>& rows) {
  std::string placeholders;
  for (std::size_t c = 0; c < table.columns.size(); ++c) placeholders += c == 0 ? "?" : ", ?";
  auto stmt = db_.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", quote_ident(table.name),
                                      column_list(table), placeholders));
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const bool deferred = table.self_reference && table.columns[c].name == *table.self_reference;
      if (deferred) {
        stmt->bind_null(static_cast<int>(c) + 1);
      } else {
        bind_value(*stmt, static_cast<int>(c) + 1, row[c], table.columns[c].type);
      }
    }
    stmt->run();
    stmt->reset();
  }
}

void SqliteTransfer::write_self_references(const TransferTable& table,
                                           const std::vector<TransferRow>& rows) {
  std::size_t column = 0;
  while (table.columns[column].name != *table.self_reference) ++column;
  auto stmt = db_.prepare(fmt::format("UPDATE {} SET {} = ? WHERE {} = ?", quote_ident(table.name),
                                      quote_ident(*table.self_reference),
                                      quote_ident(table.columns[0].name)));
  for (const auto& row : rows) {
    if (std::holds_alternative<std::nullptr_t>(row[column])) continue;
    bind_value(*stmt, 1, row[column]);
    bind_value(*stmt, 2, row[0]);
    stmt->run();
    stmt->reset();
  }
}

std::int64_t SqliteTransfer::last_issued_id(const TransferTable& table) {
  auto stmt = db_.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?");
  stmt->bind(1, std::string_view(table.name));
  return stmt->step() ? stmt->column_int64(0) : 0;
}

void SqliteTransfer::finish(const std::map<std::string, std::int64_t>& last_ids) {
  // Explicit ids already moved each AUTOINCREMENT counter to max(id) (SQLite does it on
  // insert; after --force the counters were cleared with the rows); the source's counter
  // may be higher still.
  auto raise = db_.prepare(
      "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 WHERE NOT EXISTS "
      "(SELECT 1 FROM sqlite_sequence WHERE name = ?1)");
  auto update = db_.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1");
  for (const auto& [name, last] : last_ids) {
    for (auto* stmt : {&update, &raise}) {
      (*stmt)->bind(1, std::string_view(name));
      (*stmt)->bind(2, last);
      (*stmt)->run();
      (*stmt)->reset();
    }
  }
  std::vector<std::string> indexes;
  {
    auto list = db_.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE "
        "%USING fts5%' ORDER BY name");
    while (list->step()) indexes.push_back(list->column_text(0));
  }
  for (const auto& index : indexes) {
    const std::string name = quote_ident(index);
    db_.exec("INSERT INTO " + name + "(" + name + ") VALUES ('rebuild')");
  }
}

}  // namespace relais::storage::sqlite
