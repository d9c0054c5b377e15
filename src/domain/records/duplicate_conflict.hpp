// Conflicts on unique values (a contact's e-mail address, a company's domain) name the record
// that already holds the value (details.existing_id, and the message) so the client can offer
// to open or merge it — but only when the actor may read that record. Otherwise the answer is
// still a conflict (the value is taken; hiding that would make the write fail later anyway)
// without the id: ids of other teams' records are not disclosed.
//
// Pure function over a Transaction; thread-safety is the Transaction's.
#pragma once

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/schema/entity_schema.hpp"
#include "domain/store.hpp"

namespace relais::domain {

// `error` as the actor may see it: unchanged unless it is a kConflict whose
// details.existing_id names a record of `schema` the actor cannot read; then the id leaves
// the details, the message and the per-field messages. Applied by RecordService to every
// error of a create or update, whoever raised it (type rules or the engine's unique indexes).
Error conceal_unreadable_holder(Transaction& tx, const Actor& actor, const EntitySchema& schema,
                                Error error);

}  // namespace relais::domain
