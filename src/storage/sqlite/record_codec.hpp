// Mapping between schema-typed JSON values and SQLite columns. Column names always come
// from the EntitySchema (never from user input) and are quoted anyway.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/schema/entity_schema.hpp"
#include "storage/common/keyset.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

using storage::is_json_field;  // storage/common/keyset.hpp
using storage::quote_ident;

using storage::select_columns;

// A JSON value for one field, as bound to SQL. kValidationFailed on a type mismatch.
Result<SqlValue> encode_field(const domain::FieldDef& field, const Json& value);

// Decodes the schema's columns starting at `first_column` into a record object: every field
// present, null when unset, JSON columns parsed, booleans as bool.
Json decode_record(const domain::EntitySchema& schema, const Statement& row, int first_column = 0);

}  // namespace relais::storage::sqlite
