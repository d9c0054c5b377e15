// Mapping between schema-typed JSON values and SQLite columns. Column names always come
// from the EntitySchema (never from user input) and are quoted anyway.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/schema/entity_schema.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

// "\"name\"" with embedded quotes doubled.
std::string quote_ident(std::string_view name);

// True for fields stored as JSON text (text_list, reference_list, object, list).
bool is_json_field(domain::FieldType type);

// `alias."f1", alias."f2", ...` for every schema field, in schema order.
std::string select_columns(const domain::EntitySchema& schema, std::string_view alias);

// A JSON value for one field, as bound to SQL. kValidationFailed on a type mismatch.
Result<SqlValue> encode_field(const domain::FieldDef& field, const Json& value);

// Decodes the schema's columns starting at `first_column` into a record object: every field
// present, null when unset, JSON columns parsed, booleans as bool.
Json decode_record(const domain::EntitySchema& schema, const Statement& row, int first_column = 0);

}  // namespace relais::storage::sqlite
