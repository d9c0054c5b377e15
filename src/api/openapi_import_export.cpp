// The CSV import and export paths. Mirrors api/import_export_routes.cpp: imports of the
// import kinds (domain/importing/header_mapping.hpp), CSV exports of every exportable record
// type registered as literal paths (one per type), like the router does.
#include <string>

#include "api/openapi_support.hpp"
#include "domain/importing/header_mapping.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::api {

void add_import_export_paths(Json& paths) {
  Json import = operation("import_csv",
                          "Import a CSV file (rows go through the same rules as "
                          "the API; a bad row is reported, never imported). Company names and "
                          "contact e-mails resolve only to records the caller can read. A "
                          "creation date column is kept for admins only: anyone else gets 403 "
                          "forbidden for the whole file, before any row is written",
                          "imports");
  Json resource{{"name", "resource"}, {"in", "path"}, {"required", true}};
  Json importable = Json::array();
  for (const auto kind : domain::importing::import_kinds()) {
    importable.push_back(domain::importing::import_kind_plural(kind));
  }
  resource["schema"] = {{"type", "string"}, {"enum", std::move(importable)}};
  Json dry_run{{"name", "dry_run"},
               {"in", "query"},
               {"description", "validate every row and report, but import nothing"}};
  dry_run["schema"] = {{"type", "string"}, {"default", "false"}};
  dry_run["schema"]["enum"] = {"true", "false", "1", "0"};
  Json map{{"name", "map"},
           {"in", "query"},
           {"style", "form"},
           {"explode", true},
           {"description",
            "column:field, repeatable: feeds the CSV column (header as written) to an import "
            "field; field \"ignore\" or empty drops the column. Headers are otherwise matched "
            "by name, in French or English"}};
  map["schema"] = {{"type", "array"}, {"items", {{"type", "string"}}}};
  import["parameters"] = Json::array({resource, dry_run, map});
  const Json file{{"schema",
                   {{"type", "string"},
                    {"description",
                     "the CSV file: UTF-8 (BOM optional) or Windows-1252, separated by "
                     "commas or semicolons, header row first"}}}};
  Json body{{"required", true}, {"content", Json::object()}};
  for (const char* type : {"text/csv", "application/csv", "text/plain"}) {
    body["content"][type] = file;
  }
  import["requestBody"] = std::move(body);
  import["responses"]["200"] =
      json_response("what was (or, in a dry run, would be) imported", schema_ref("ImportReport"));
  add_errors(import, kAuthErrors);
  add_errors(import, kBodyErrors);
  add_errors(import, {ErrorCode::kNotFound});
  paths["/api/v1/imports/{resource}"]["post"] = std::move(import);

  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    if (!schema->exportable) continue;
    const std::string& plural = schema->plural;
    Json op =
        operation("export_" + plural + "_csv", "Export " + plural + " as CSV (UTF-8)", plural);
    op["parameters"] = Json::array({param_ref("filter"), param_ref("q")});
    op["responses"]["200"] = {
        {"description", "the records the caller may see that match the filter and search"},
        {"headers",
         {{"Content-Disposition",
           {{"description", "attachment; filename=\"" + plural + "-<date>.csv\""},
            {"schema", {{"type", "string"}}}}}}},
        {"content", {{"text/csv", {{"schema", {{"type", "string"}}}}}}}};
    add_errors(op, kAuthErrors);
    add_errors(op, {ErrorCode::kBadRequest, ErrorCode::kValidationFailed});
    paths["/api/v1/" + plural + "/export.csv"]["get"] = std::move(op);
  }
}

}  // namespace relais::api
