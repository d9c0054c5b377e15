// Mapping between schema-typed JSON values and PostgreSQL columns (see migrations/0001):
// JSON fields are jsonb, booleans boolean, integers bigint, the rest text. Values travel as
// text parameters (pg_connection.hpp); the server types them from the statement.
#pragma once

#include "common/result.hpp"
#include "domain/schema/entity_schema.hpp"
#include "storage/common/keyset.hpp"
#include "storage/common/sql_value.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

// A JSON value for one field, as sent for its column ("true"/"false" for booleans, the JSON
// text for jsonb). kValidationFailed on a type mismatch, with the same messages as SQLite.
Result<SqlValue> encode_field(const domain::FieldDef& field, const Json& value);

// Decodes the schema's columns of `row`, starting at `first_column`, into a record object:
// every field present, null when unset, jsonb parsed, booleans as bool, integers as numbers.
Json decode_record(const domain::EntitySchema& schema, const PgResult& result, int row,
                   int first_column = 0);

// One column as a JSON value by the field's type (as decode_record does for a whole row).
Json decode_field(const domain::FieldDef& field, const PgResult& result, int row, int column);

}  // namespace relais::storage::postgres
