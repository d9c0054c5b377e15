// Declarative description of every record type (contact, company, deal, ...).
// One schema drives validation (domain/records), the SQL the storage engines generate
// (column names are schema field names, never user input), the filter language, CSV
// import/export and the OpenAPI description, so a field is declared exactly once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace relais::domain {

enum class FieldType {
  kText,      // UTF-8 string
  kInteger,   // int64
  kMoney,     // int64 minor units (cents); currency lives in a sibling kCurrency field
  kCurrency,  // ISO 4217 code, upper case
  kDate,      // "YYYY-MM-DD"
  kDateTime,  // ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS(.sss)Z"
  kBoolean,
  kEnum,           // one of FieldDef::enum_values
  kTextList,       // JSON array of strings (stored as JSON text)
  kReference,      // id of another record (FieldDef::references names its entity)
  kReferenceList,  // JSON array of ids
  kObject,         // free JSON object (custom fields, address blocks, pipeline stages)
  kList,           // JSON array of objects (pipeline stages)
};

const char* field_type_name(FieldType type);

// What text (kText, and each item of kTextList) may hold beyond valid UTF-8 and its length.
// Control characters (U+0000-U+001F, DEL) are refused everywhere but tab, and line breaks.
enum class TextFormat {
  kLine,       // one line: no line breaks
  kMultiline,  // line feeds and carriage returns allowed (notes, descriptions, addresses)
  kTimeZone,   // an IANA time zone name of the system's tzdata, e.g. "Europe/Paris"
};

struct FieldDef {
  std::string name;  // JSON name == SQL column name
  FieldType type = FieldType::kText;
  bool required = false;    // must be present and non-empty on create
  bool read_only = false;   // maintained by the server (id, version, timestamps, score)
  bool searchable = false;  // indexed for ?q= full-text search
  bool sortable = true;
  bool filterable = true;
  std::vector<std::string> enum_values;
  std::string references;         // entity name for kReference / kReferenceList
  std::size_t max_length = 1000;  // kText and each kTextList item, in bytes (after trimming)
  std::size_t max_items = 100;    // kTextList, kReferenceList and kList: at most this many
  TextFormat text_format = TextFormat::kLine;  // kText and kTextList items
  Json default_value;                          // applied on create when absent; null = no default
  std::string label_en;                        // human labels (UI, CSV export headers)
  std::string label_fr;
};

// Which row of the permission table (domain/auth/permissions.hpp) a record type follows.
// A type declares its policy here; permissions.cpp says what each policy grants per role.
enum class AccessPolicy {
  kAdminOnly,      // nobody but admins (and the system actor): the default of a new type
  kCrm,            // contacts, companies: sales and marketing write their scope
  kDeal,           // deals: like kCrm, but marketing only reads
  kEngagement,     // activities, notes, tasks: support writes too
  kConfiguration,  // pipelines, custom fields: everyone reads, managers write
  kDirectory,      // users, teams: everyone reads, admins write
};

// For record types that are not `owned`: which of their records are "in scope" of an actor
// (owned types: owned by the actor, by the actor's team, or unowned).
enum class SelfScope {
  kNone,       // none (pipelines, custom fields: shared configuration)
  kActorUser,  // the actor's own record (users)
  kActorTeam,  // the actor's team (teams)
};

// How records of a type appear on the timelines of the records they reference (activities,
// notes, tasks on a contact's, company's or deal's history). The item carries `fields`;
// `rank` orders items sharing a timestamp (higher first) and must differ between types.
struct TimelineEntry {
  int rank = 0;
  std::string time_field;           // the item's time; empty or null in a row: created_at
  std::vector<std::string> fields;  // copied into the item, in this order
};

struct EntitySchema {
  std::string name;              // singular, e.g. "contact" (audit log, events, errors)
  std::string plural;            // URL segment and table name, e.g. "contacts"
  std::vector<FieldDef> fields;  // includes id, version, created_at, updated_at
  bool owned = true;             // has owner_id/team_id and is subject to record-level rules
  AccessPolicy access = AccessPolicy::kAdminOnly;
  SelfScope self_scope = SelfScope::kNone;  // only for types that are not `owned`
  // Has a history: GET /api/v1/<plural>/{id}/timeline (its audit entries, the linked records
  // whose type is `on_timeline`, and type-specific items such as deal stage changes).
  bool has_timeline = false;
  // Shown on the timeline of every `has_timeline` record it references through a field
  // named "<that type>_id" (timeline_link_field).
  std::optional<TimelineEntry> on_timeline;
  // GET /api/v1/<plural>/export.csv and `relais export <plural>`.
  bool exportable = false;
  // Unique keys besides id, each a list of fields, as the engines' unique indexes declare
  // them (migrations 0001; users' e-mail and companies' domain compared lower-cased); a
  // violation is a 409 conflict.
  std::vector<std::vector<std::string>> unique_keys;

  const FieldDef* field(std::string_view name) const;
};

// The field of `child` through which its records show on the timeline of a `parent` record:
// the reference to `parent` named "<parent.name>_id"; nullptr when `child` is not
// `on_timeline` or has no such reference.
const FieldDef* timeline_link_field(const EntitySchema& child, const EntitySchema& parent);

// The built-in record types.
const EntitySchema& contact_schema();
const EntitySchema& company_schema();
const EntitySchema& pipeline_schema();
const EntitySchema& deal_schema();
const EntitySchema& activity_schema();
const EntitySchema& task_schema();
const EntitySchema& note_schema();
const EntitySchema& user_schema();
const EntitySchema& team_schema();
const EntitySchema& custom_field_schema();

// All of the above, in a stable order.
const std::vector<const EntitySchema*>& all_schemas();
// Look up by singular or plural name; nullptr when unknown.
const EntitySchema* find_schema(std::string_view name);

}  // namespace relais::domain
