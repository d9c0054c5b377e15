// Engine-neutral parts of list queries: page sizes, the resolved sort (requested keys plus an
// id tiebreak), opaque keyset cursors, and how user search text splits into prefix terms.
// Each engine compiles these into its own SQL (sqlite/list_query, postgres/pg_list_query).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/store.hpp"

namespace relais::storage {

inline constexpr int kMaxPageSize = 500;

// Clamps a requested page size to 1..kMaxPageSize (non-positive means the default, 50).
int effective_limit(int requested);

// The sort actually applied: the requested keys, then id (unless already a key).
struct ResolvedSort {
  std::vector<domain::SortKey> keys;
};

// kBadRequest for a field that does not exist, is not sortable or holds JSON.
Result<ResolvedSort> resolve_sort(const domain::EntitySchema& schema,
                                  const std::vector<domain::SortKey>& requested);

// The cursor for the row after `record` under `sort` (its sort values then id).
std::string cursor_for(const ResolvedSort& sort, const Json& record);

// Base64url (no padding) of the JSON array of values; decoding rejects anything else, and
// any array whose last value (the id) is not an integer.
std::string encode_cursor(const Json& values);
Result<Json> decode_cursor(std::string_view cursor, std::size_t expected_values);

// The terms of a search: whitespace-separated, with '"', '*' and control characters dropped,
// keeping only terms with at least one letter or digit (or any non-ASCII byte). Every term
// is matched as a prefix, accent- and case-insensitively, and all must match.
std::vector<std::string> search_terms(std::string_view text);

// True for fields stored as JSON (text_list, reference_list, object, list).
bool is_json_field(domain::FieldType type);

// "\"name\"" with embedded quotes doubled (both engines quote identifiers alike).
std::string quote_ident(std::string_view name);

// `alias."f1", alias."f2", ...` for every schema field, in schema order.
std::string select_columns(const domain::EntitySchema& schema, std::string_view alias);

// Trimmed and ASCII-lower-cased: the key of the e-mail, domain and login look-ups.
std::string normalise_key(std::string_view text);

}  // namespace relais::storage
