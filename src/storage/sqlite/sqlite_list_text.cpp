// SqliteTransaction::list_text: list() written as JSON text from the rows (record_text.hpp).
#include "storage/common/record_text.hpp"
#include "storage/sqlite/list_query.hpp"
#include "storage/sqlite/record_codec.hpp"
#include "storage/sqlite/sqlite_transaction.hpp"

namespace relais::storage::sqlite {

namespace {

// The current row's column as record_text wants it, read the way decode_record reads it.
ColumnValue column_value_of(const Statement& row, int column, ColumnText as) {
  ColumnValue value;
  if (row.is_null(column)) return value;
  if (as == ColumnText::kBoolean) {
    value.kind = ColumnValue::Kind::kInteger;
    value.integer = row.column_int64(column);
  } else if (as == ColumnText::kNumber && row.is_integer(column)) {
    value.kind = ColumnValue::Kind::kInteger;
    value.integer = row.column_int64(column);
  } else if (as == ColumnText::kNumber && row.is_real(column)) {
    value.kind = ColumnValue::Kind::kReal;
    value.real = row.column_double(column);
  } else {
    value.kind = ColumnValue::Kind::kText;
    value.text = row.column_view(column);
  }
  return value;
}

}  // namespace

Result<domain::PageText> SqliteTransaction::list_text(const domain::EntitySchema& schema,
                                                      const domain::ListQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(ResolvedSort sort, resolve_sort(schema, query.sort));
  RELAIS_ASSIGN_OR_RETURN(CompiledSql sql, compile_list(schema, query, sort));
  if (!query.text_search.empty()) flush_fts();
  const auto limit = static_cast<std::size_t>(effective_limit(query.limit));
  const RecordTextLayout layout(schema);
  auto stmt = db_.prepare(sql.sql);
  stmt->bind_all(sql.params);
  domain::PageText page;
  page.items_json.reserve(4096);
  page.items_json.push_back('[');
  Json last;  // the page's last record, for the cursor: decoded only for that one row
  while (stmt->step()) {
    if (page.count == limit) {  // the extra row only says there is a next page
      page.next_cursor = cursor_for(sort, last);
      break;
    }
    if (page.count + 1 == limit) last = decode_record(schema, *stmt);
    if (page.count > 0) page.items_json.push_back(',');
    append_record(page.items_json, layout,
                  [&](int column, ColumnText as) { return column_value_of(*stmt, column, as); });
    ++page.count;
  }
  page.items_json.push_back(']');
  return page;
}

}  // namespace relais::storage::sqlite
