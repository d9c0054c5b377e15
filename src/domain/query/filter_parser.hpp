// The ?filter= language, shared by list endpoints, segments and CSV export.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not" unary | "(" expr ")" | compare
//   compare := field op value | field "in" "(" value ("," value)* ")" | field "is" ["not"] "empty"
//   op      := "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains"
//   value   := "string" (double or single quotes, backslash escapes) | number | true | false
//              | null | date 2026-11-25 | money 500.00 EUR (= 50000 minor units)
// Keywords are case-insensitive. Examples:
//   city = "Lyon" and (lifecycle_stage in ("lead","mql") or score >= 50)
//   amount > 500 EUR and expected_close_date < 2026-12-31 and not tags contains "vip"
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "domain/query/filter_ast.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::domain {

// kBadRequest on a syntax error, with details {"position": <byte offset>} and a message
// naming what was expected there; kValidationFailed for an unknown field or a value of the
// wrong type for its field. Returns null for an empty/blank expression.
Result<FilterPtr> parse_filter(std::string_view text, const EntitySchema& schema);

}  // namespace relais::domain
