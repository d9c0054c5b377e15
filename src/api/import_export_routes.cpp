// CSV import and export over HTTP.
//   POST /api/v1/imports/{contacts|companies|deals}?dry_run=true&map=Column:field
//        Content-Type: text/csv → 200 {"rows","imported","rejected":[...],"dry_run",...}
//   GET  /api/v1/{contacts|companies|deals|activities|tasks}/export.csv?filter=...&q=...
//        → text/csv attachment. These literal paths win over /{res}/{id} because the router
//        prefers the pattern with the fewest {param} segments (see http/router.hpp).
// The handlers only translate HTTP to the importing services; the CSV text of an export is
// built page by page (one page of records in memory at a time) into a temporary file the
// response streams from disk (Response::body_file).
#include <string>

#include "api/handler_support.hpp"
#include "api/routes.hpp"
#include "domain/importing/csv_export.hpp"
#include "domain/importing/import_service.hpp"
#include "domain/records/values.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::api {
namespace {

namespace imp = domain::importing;

bool is_csv_content_type(const std::string& header) {
  std::string type = header.substr(0, header.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "text/csv" || type == "application/csv" || type == "text/plain";
}

Result<imp::ImportOptions> parse_import_options(const http::Request& request,
                                                const std::string& kind) {
  imp::ImportOptions options;
  if (!imp::parse_import_kind(kind, options.kind)) {
    return Error::not_found("cannot import '" + kind + "' (contacts, companies or deals)");
  }
  if (auto dry = request.query_param("dry_run")) {
    if (*dry == "true" || *dry == "1") {
      options.dry_run = true;
    } else if (*dry != "false" && *dry != "0") {
      return Error::bad_request("dry_run must be true or false");
    }
  }
  auto [first, last] = request.query.equal_range("map");
  for (auto it = first; it != last; ++it) {
    std::string column, field;
    if (!imp::parse_mapping_override(it->second, column, field)) {
      return Error::bad_request("map must be column:field, got '" + it->second + "'");
    }
    options.overrides[column] = field;
  }
  return options;
}

http::Response handle_import(http::Request& request, const domain::Actor& actor,
                             domain::Services& services) {
  if (!is_csv_content_type(request.header("content-type"))) {
    return http::Response::error(
        Error{ErrorCode::kUnsupportedMediaType, "send the file with Content-Type: text/csv"});
  }
  auto options = parse_import_options(request, request.path_params["resource"]);
  if (!options.ok()) return http::Response::error(options.error());
  imp::ImportService importer(services);
  auto report = importer.import_csv(actor, request.body, *options);
  if (!report.ok()) return http::Response::error(report.error());
  return http::Response::json(200, report->to_json());
}

http::Response handle_export(http::Request& request, const domain::Actor& actor,
                             domain::Services& services, const std::string& plural) {
  imp::ExportSelection selection{request.query_param("filter").value_or(""),
                                 request.query_param("q").value_or("")};
  // Written to a private temporary file and streamed from there: a million-row export must
  // not sit in the server's memory.
  auto file = common::TempFile::create("relais-export-");
  if (!file.ok()) return http::Response::error(file.error());
  auto stats = imp::export_csv(services, actor, plural, selection,
                               [&](std::string_view chunk) { (*file)->write(chunk); });
  if (!stats.ok()) return http::Response::error(stats.error());
  if (auto written = (*file)->finish(); !written.ok()) {
    return http::Response::error(written.error());
  }
  http::Response response;
  response.status = 200;
  response.content_type = "text/csv; charset=utf-8";
  response.body_file = std::move(file).value();
  std::string date = domain::now_iso().substr(0, 10);
  response.set_header("Content-Disposition",
                      "attachment; filename=\"" + plural + "-" + date + ".csv\"");
  response.set_header("Cache-Control", "no-store");
  return response;
}

}  // namespace

void register_import_export_routes(http::Router& router, domain::Services& services) {
  router.add(
      "POST", "/api/v1/imports/{resource}",
      authenticated(services, [&services](http::Request& request, const domain::Actor& actor) {
        return handle_import(request, actor, services);
      }));
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    if (!schema->exportable) continue;
    std::string name = schema->plural;
    router.add("GET", "/api/v1/" + name + "/export.csv",
               authenticated(services,
                             [&services, name](http::Request& request, const domain::Actor& actor) {
                               return handle_export(request, actor, services, name);
                             }));
  }
}

}  // namespace relais::api
