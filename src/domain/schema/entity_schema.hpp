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

struct EntitySchema {
  std::string name;              // singular, e.g. "contact" (audit log, events, errors)
  std::string plural;            // URL segment and table name, e.g. "contacts"
  std::vector<FieldDef> fields;  // includes id, version, created_at, updated_at
  bool owned = true;             // has owner_id/team_id and is subject to record-level rules

  const FieldDef* field(std::string_view name) const;
};

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
