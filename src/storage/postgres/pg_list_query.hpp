// Compiles a domain::ListQuery into parameterised PostgreSQL for one table, with the same
// results as the SQLite engine (storage/sqlite/list_query.hpp) for the same query:
// visibility, the filter AST, full-text search (search_vector @@ relais_search_query, see
// migrations/0002), sort keys with an id tiebreak and a keyset cursor (storage/common).
// Placeholders are $1, $2, ... numbered by position in `params`: a condition appends its
// values to `params` and names them by their new position. Identifiers come only from the
// EntitySchema; every user value is a bound parameter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/store.hpp"
#include "storage/common/keyset.hpp"
#include "storage/common/sql_value.hpp"

namespace relais::storage::postgres {

struct PgSql {
  std::string sql;
  std::vector<SqlValue> params;
};

// The full page query: SELECT <all schema columns> ... ORDER BY ... LIMIT limit+1.
Result<PgSql> compile_list(const domain::EntitySchema& schema, const domain::ListQuery& query,
                           const ResolvedSort& sort);
// SELECT count(*) with the same conditions (cursor and sort ignored).
Result<PgSql> compile_count(const domain::EntitySchema& schema, const domain::ListQuery& query);

// The WHERE condition for `visibility` on rows of `table` (an alias or table name, never
// user input), its values appended to `params`; empty when nothing is restricted, "false"
// when nothing is visible. Only for schemas with owner_id/team_id (EntitySchema::owned).
std::string visibility_condition(const domain::Visibility& visibility, std::string_view table,
                                 std::vector<SqlValue>& params);

// "$n" for the parameter just appended to `params`.
std::string placeholder(const std::vector<SqlValue>& params);

}  // namespace relais::storage::postgres
