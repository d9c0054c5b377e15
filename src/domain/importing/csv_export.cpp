#include "domain/importing/csv_export.hpp"

#include <vector>

#include "common/csv.hpp"
#include "domain/services.hpp"

namespace relais::domain::importing {
namespace {

constexpr int kPageSize = 500;

std::string scalar_text(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return v.dump();
}

std::string cell_text(const Json& v) {
  if (v.is_array()) {
    bool scalars = true;
    for (const Json& item : v) scalars = scalars && !item.is_structured();
    if (!scalars) return v.dump();
    std::string out;
    for (const Json& item : v) {
      if (!out.empty()) out += ", ";
      out += scalar_text(item);
    }
    return out;
  }
  if (v.is_object()) return v.empty() ? "" : v.dump();
  return scalar_text(v);
}

}  // namespace

bool is_exportable(std::string_view plural) {
  const EntitySchema* schema = find_schema(plural);
  return schema != nullptr && schema->plural == plural && schema->exportable;
}

std::string exportable_plurals(std::string_view separator) {
  std::string out;
  for (const EntitySchema* schema : all_schemas()) {
    if (!schema->exportable) continue;
    if (!out.empty()) out += separator;
    out += schema->plural;
  }
  return out;
}

Result<ExportStats> export_csv(Services& services, const Actor& actor, std::string_view plural,
                               const ExportSelection& selection,
                               const std::function<void(std::string_view)>& sink) {
  RecordService* service = is_exportable(plural) ? services.by_plural(plural) : nullptr;
  if (service == nullptr) return Error::not_found("cannot export '" + std::string(plural) + "'");
  const EntitySchema& schema = service->schema();

  ListRequest request;
  request.filter = selection.filter;
  request.q = selection.q;
  request.sort = "id";
  request.limit = kPageSize;
  // Fetch the first page before writing anything, so a bad filter is a clean error.
  RELAIS_ASSIGN_OR_RETURN(Page page, service->list(actor, request));

  common::CsvWriter writer([&](std::string_view chunk) { sink(chunk); });
  std::vector<std::string> cells;
  for (const FieldDef& f : schema.fields) cells.push_back(f.name);
  writer.write_row(cells);

  ExportStats stats;
  while (true) {
    for (const Json& record : page.items) {
      cells.clear();
      for (const FieldDef& f : schema.fields) {
        auto it = record.find(f.name);
        cells.push_back(it == record.end() ? std::string() : cell_text(*it));
      }
      writer.write_row(cells);
      ++stats.rows;
    }
    if (!page.next_cursor) break;
    request.cursor = *page.next_cursor;
    RELAIS_ASSIGN_OR_RETURN(page, service->list(actor, request));
  }
  return stats;
}

}  // namespace relais::domain::importing
