// The converting stage of a CSV import: one CSV row becomes the body the record service
// creates — every cell typed as the schema or its custom field definition says, in the
// spellings French and English users type ("1 234,56 €", "25/11/2026", "oui", "Client") — or
// the reason the row cannot be imported, in the words of the import report. It reads nothing
// from the store: what it needs (custom fields, users, pipelines) is loaded before.
//
// Thread-safety: a RowConverter only reads what it was built with; the import runs it on its
// own thread while the batch before is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/csv.hpp"
#include "common/result.hpp"
#include "domain/importing/header_mapping.hpp"
#include "domain/importing/import_service.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::domain::importing {

// A row ready to be written: the record's body and what only the store can resolve.
struct PreparedRow {
  std::size_t line = 0;
  Json body = Json::object();
  std::string company_name;
  std::string created_at;                   // storage stamp, or "" for now
  std::vector<std::string> contact_emails;  // deals
};

struct ImportPipeline {
  std::int64_t id = 0;
  std::string name;
  Json stages;
  bool is_default = false;
};

// Read-only data loaded once per import.
struct ImportContext {
  std::map<std::string, Json> custom_fields;  // key → definition, of the imported record type
  std::unordered_map<std::string, std::int64_t> users_by_email;  // lower-case e-mail → id
  std::vector<ImportPipeline> pipelines;
  const ImportPipeline* default_pipeline = nullptr;
};

// The header of the column that feeds `schema_field` (for mapping service errors back to the
// file), else the field's own name.
std::string column_for(const ColumnMapping& mapping, const std::vector<std::string>& headers,
                       const std::string& schema_field);

// Why a cell cannot be imported, as the report says it ("'abc' is not a number").
struct CellError {
  std::string reason;
};

class RowConverter {
 public:
  // Every argument must outlive the converter.
  RowConverter(ImportKind kind, const EntitySchema& schema, const std::vector<std::string>& headers,
               const ColumnMapping& mapping, const ImportContext& context)
      : kind_(kind), schema_(schema), headers_(headers), mapping_(mapping), context_(context) {}

  // Converts one CSV row into `out`; a problem goes to `rejected` and returns false.
  bool convert(const common::CsvRow& row, PreparedRow& out, RejectedRow& rejected) const;

 private:
  std::optional<CellError> convert_cell(const std::string& field, std::string_view cell,
                                        PreparedRow& out) const;
  std::optional<CellError> convert_custom_cell(const std::string& key, std::string_view cell,
                                               PreparedRow& out) const;
  // The deal's pipeline and stage, by name, once every cell is converted.
  bool resolve_pipeline(PreparedRow& out, RejectedRow& rejected) const;

  ImportKind kind_;
  const EntitySchema& schema_;
  const std::vector<std::string>& headers_;
  const ColumnMapping& mapping_;
  const ImportContext& context_;
};

}  // namespace relais::domain::importing
