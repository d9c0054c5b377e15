// Compiles a domain::ListQuery into parameterised SQL for one table: visibility, the filter
// AST, full-text search (FTS5), sort keys with an id tiebreak and a keyset cursor.
// Identifiers come only from the EntitySchema; every user value is a bound parameter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/store.hpp"
#include "storage/common/keyset.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

struct CompiledSql {
  std::string sql;
  std::vector<SqlValue> params;
};

// Shared with the PostgreSQL engine (storage/common/keyset.hpp).
using storage::cursor_for;
using storage::decode_cursor;
using storage::effective_limit;
using storage::encode_cursor;
using storage::kMaxPageSize;
using storage::resolve_sort;
using storage::ResolvedSort;

// The full page query: SELECT <all columns> ... ORDER BY ... LIMIT limit+1.
Result<CompiledSql> compile_list(const domain::EntitySchema& schema, const domain::ListQuery& query,
                                 const ResolvedSort& sort);
// SELECT count(*) with the same conditions (cursor and sort ignored).
Result<CompiledSql> compile_count(const domain::EntitySchema& schema,
                                  const domain::ListQuery& query);

// The WHERE condition for `visibility` on rows of `table` (an alias or table name, never
// user input), its values appended to `params`; empty when nothing is restricted, "0" when
// nothing is visible. Only for schemas with owner_id/team_id (EntitySchema::owned).
std::string visibility_condition(const domain::Visibility& visibility, std::string_view table,
                                 std::vector<SqlValue>& params);

// FTS5 MATCH expression for user text: every term a quoted prefix query, AND-ed.
// Empty when the text holds no searchable term.
std::string fts_match_expression(std::string_view text);

}  // namespace relais::storage::sqlite
