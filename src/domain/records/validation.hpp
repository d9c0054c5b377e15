// Checks a JSON body against an EntitySchema and returns the typed, normalised values.
// Every problem is collected into one kValidationFailed Error (fields: name -> message).
// Pure function, thread-safe.
#pragma once

#include "common/result.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::domain {

enum class ValidationMode {
  kCreate,  // required fields must be present and non-empty; defaults are applied
  kUpdate,  // only the fields present are checked; required fields may not be cleared
};

// Rules: unknown field -> "unknown field"; read-only -> "read-only field"; values checked by
// FieldType (text: string, valid UTF-8, <= max_length bytes, trimmed, no control characters
// but tab (and line breaks when multi-line), IANA names for time zones; lists: at most
// max_items; integer; money: integer
// minor units; currency: 3 upper-case letters; date: real YYYY-MM-DD; datetime: ISO 8601
// with zone, normalised to UTC "...Z"; boolean; enum membership; text_list: strings;
// reference: positive integer; reference_list: positive integers, de-duplicated; object;
// list of objects). null clears a field; "" clears a non-text scalar (HTML forms send it).
Result<Json> validate_record(const EntitySchema& schema, const Json& body, ValidationMode mode);

// Checks one value against one field (no required/read-only logic). Returns the normalised
// value or an error message for that field.
Result<Json> validate_value(const FieldDef& field, const Json& value);

// Human-readable summary for Error::message: "invalid fields: a (why), b (why)".
std::string summarize_field_errors(const std::map<std::string, std::string>& fields);

}  // namespace relais::domain
