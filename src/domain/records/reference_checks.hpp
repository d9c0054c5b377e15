// References between records, checked for the actor who writes them.
//
// A reference names another record by id: every FieldType::kReference / kReferenceList field
// of an EntitySchema, its target in FieldDef::references. The rule, for every record type
// alike: a write may only point at a record the actor can read. A record the actor cannot
// read is answered exactly like a missing one (same code, field and message), so other
// teams' ids can neither be linked (and so surface on their timelines) nor probed.
//
// Pure functions over a Transaction; thread-safety is the Transaction's.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/schema/entity_schema.hpp"
#include "domain/store.hpp"

namespace relais::domain {

// Record `id` of `schema` when it exists and the actor may read it; nullopt when it is
// missing or out of the actor's reach (the caller cannot tell which). Other storage errors
// are returned as they are.
Result<std::optional<Json>> find_readable(Transaction& tx, const Actor& actor,
                                          const EntitySchema& schema, std::int64_t id);

// Every reference `candidate` adds (all of them on create; on update those whose value
// changed, and for a reference list only the ids it did not hold before) must name a record
// the actor can read. Else kValidationFailed with fields {name: "no <entity> with id N"}.
Result<void> check_references(Transaction& tx, const Actor& actor, const EntitySchema& schema,
                              const Json* before, const Json& candidate);

}  // namespace relais::domain
