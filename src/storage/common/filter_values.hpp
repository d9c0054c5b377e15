// How a filter or cursor value must fit the field it is compared with, the same rule for
// both engines. SQLite would compare any value with any column (a text never equals an
// integer, and sorts after every number), PostgreSQL types each parameter from its column
// and fails on "abc" or 5.5 for a bigint; so a value that does not fit is a 400 naming the
// field, on both engines, before any SQL runs. The filter parser already types what users
// write (domain/query/filter_parser.cpp): this guards the other callers and the cursors,
// whose values come back from clients.
#pragma once

#include "common/result.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::storage {

// The value as the column's kind: null; a bool for booleans (0 and 1 accepted); an integer
// for integers, money and references (an integral float such as 5.0 accepted); a string
// for text, enum, currency, date and date-time fields (an integer becomes its decimal text,
// as SQLite's text affinity converts it). kBadRequest otherwise, and for JSON fields.
Result<Json> typed_value(const domain::FieldDef& field, const Json& value);

// One element of a text list (a string, not null) or a reference list (an integer).
Result<Json> typed_element(const domain::FieldDef& field, const Json& value);

// True for fields stored as text on both engines (contains applies to them).
bool is_text_field(domain::FieldType type);

// True for columns that can never hold NULL, whatever the schema: id, version, created_at,
// updated_at (their sort and cursor need no NULL handling, so an index serves them).
bool never_null(const domain::FieldDef& field);

}  // namespace relais::storage
