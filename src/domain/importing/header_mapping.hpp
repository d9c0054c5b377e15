// Which CSV column feeds which field. Headers are matched after fold_label(), so case,
// accents and punctuation do not matter; French and English names are both known.
//
// Import fields are the schema field names plus a few that the importer resolves itself:
//   email         → contact "emails" (several per cell allowed, split on , ; |)
//   phone, mobile → contact "phones" / company "phone"
//   company       → company_id, by exact company name; created when missing
//   pipeline      → deal pipeline_id, by name (default pipeline otherwise)
//   stage         → deal stage_id, by stage id or name in that pipeline
//   contact_email → deal contact_ids, by an existing contact's e-mail
//   owner_email   → owner_id, by user e-mail
//   created_at    → when the record was created in the system it comes from (a date or an ISO
//                   date-time, not in the future): the record, its audit entry and its event
//                   carry that time instead of the import's
//   custom.<key>  → that custom field of the record type; a header equal to the field's key or
//                   label (folded) maps to it automatically
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace relais::domain::importing {

enum class ImportKind { kContacts, kCompanies, kDeals };

// "contacts" | "companies" | "deals" → kind; false when unknown.
bool parse_import_kind(std::string_view plural, ImportKind& kind);
const char* import_kind_plural(ImportKind kind);

// A custom field defined for the imported record type.
struct CustomFieldColumn {
  std::string key;
  std::string label;
};

struct ColumnMapping {
  std::vector<std::string> fields;               // per column: the import field, "" = ignored
  std::vector<std::string> unmapped;             // headers of the columns nothing matched
  std::map<std::string, std::string> by_header;  // header → field, for the report
};

// `overrides` maps a header (as written, or folded) to an import field; the field "" or
// "ignore" drops that column. kValidationFailed for an override naming an unknown column or
// field. When two columns match the same single-valued field, the first wins and the other is
// reported as unmapped.
Result<ColumnMapping> map_columns(ImportKind kind, const std::vector<std::string>& headers,
                                  const std::map<std::string, std::string>& overrides,
                                  const std::vector<CustomFieldColumn>& custom_fields = {});

// The import fields accepted for `kind` (for --help and error messages).
std::vector<std::string> import_fields(ImportKind kind);

// Every import kind, in a stable order (contacts, companies, deals).
const std::vector<ImportKind>& import_kinds();

// One import field as a client offers it (GET /api/v1/schema): the field, its labels (the
// schema field's, or the importer's own for email, company, owner_email, ...) and the folded
// headers (fold_label) that map to it by themselves, its own name included.
struct ImportFieldInfo {
  std::string field;
  std::string label_en;
  std::string label_fr;
  std::vector<std::string> synonyms;
};
std::vector<ImportFieldInfo> describe_import_fields(ImportKind kind);

// Parses "col=field" or "col:field" (the API's form); false when malformed.
bool parse_mapping_override(std::string_view text, std::string& column, std::string& field);

}  // namespace relais::domain::importing
