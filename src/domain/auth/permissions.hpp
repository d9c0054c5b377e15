// Record-level permissions: the single place that decides who may read, create, change or
// delete which record. Services call these; storage only receives the resulting Visibility.
//
// "scope" = records the actor owns, records of the actor's team, and unowned records.
// For users: scope = the actor's own user record; for teams: the actor's own team (no role
// reads users/teams by scope today, but in_scope keeps that meaning for callers).
//
//   schema \ role        | admin | manager | sales       | marketing   | support     | readonly
//   ---------------------+-------+---------+-------------+-------------+-------------+---------
//   contacts, companies  | all   | all     | rw scope, C | rw scope, C | r scope     | r scope
//   deals                | all   | all     | rw scope, C | r scope     | r scope     | r scope
//   activities, notes,   | all   | all     | rw scope, C | rw scope, C | rw scope, C | r scope
//   tasks                |       |         |             |             |             |
//   pipelines,           | all   | all     | r all       | r all       | r all       | r all
//   custom_fields        |       |         |             |             |             |
//   users, teams         | all   | r all   | r all       | r all       | r all       | r all
//
// all = read + create + update + delete every record; rw = read and write (update/delete);
// C = may create (the new record must itself be in scope: owner defaults to the actor).
// Users and teams are a directory every signed-in role reads (owner/assignee pickers); user
// records carry no secrets (password hashes live outside the record), and only admin writes.
// The system actor (user_id 0: CLI, importer, jobs) may do everything.
// Each schema names its row in EntitySchema::access (kCrm: contacts, companies; kDeal;
// kEngagement; kConfiguration; kDirectory); a schema that declares none is admin-only.
// Scope of users and teams: EntitySchema::self_scope.
#pragma once

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/schema/entity_schema.hpp"
#include "domain/store.hpp"

namespace relais::domain {

enum class Reach { kNone, kScope, kAll };

struct SchemaAccess {
  Reach read = Reach::kNone;
  Reach write = Reach::kNone;  // update and delete
  bool create = false;
};

// The row of the table above for this actor and schema.
SchemaAccess schema_access(const Actor& actor, const EntitySchema& schema);

// True when `record` is in the actor's scope for `schema` (see above).
bool in_scope(const Actor& actor, const EntitySchema& schema, const Json& record);

bool can_read(const Actor& actor, const EntitySchema& schema, const Json& record);
bool can_write(const Actor& actor, const EntitySchema& schema, const Json& record);
bool can_create(const Actor& actor, const EntitySchema& schema);
// May list this schema at all (scope-limited reads of owned schemas can be listed; scope
// reads of unowned schemas cannot, since Visibility filters only on owner/team).
bool can_list(const Actor& actor, const EntitySchema& schema);

// May write records "as of" a past instant (Transaction::set_effective_time): keep the
// creation dates of another system in a CSV import. A data migration: admins and the system
// actor only (a manager's import is dated today, so no one but an admin can make records
// look older than they are).
bool can_keep_creation_dates(const Actor& actor);

// WHERE-clause restriction for lists of `schema` by this actor (callers check can_list).
Visibility visibility(const Actor& actor, const EntitySchema& schema);

// The restriction for records of `schema` shown inside another record (the activities,
// notes and tasks of a timeline): exactly what the actor's own list of `schema` shows, and
// nothing when the actor may not list `schema` at all.
Visibility visibility_as_listed(const Actor& actor, const EntitySchema& schema);

}  // namespace relais::domain
