// Validation of a record's `custom` object against the custom_field definitions stored for
// its record type. Runs inside the write transaction of the record.
#pragma once

#include <string>

#include "common/result.hpp"
#include "domain/store.hpp"

namespace relais::domain {

// Checks candidate["custom"] (absent/null = {}): unknown keys, value types (text, number,
// date, enum options, boolean, money in minor units), required keys. Skipped on update when
// `custom` did not change, so adding a required definition does not block unrelated edits.
// Null values remove the key. Errors name "custom.<key>".
// Definitions are read once per unit of work; whoever writes a definition drops this key
// from tx.cache() in the same unit.
std::string custom_field_cache_key(const std::string& entity);

Result<void> validate_custom_fields(Transaction& tx, const std::string& entity, const Json* before,
                                    Json& candidate);

}  // namespace relais::domain
