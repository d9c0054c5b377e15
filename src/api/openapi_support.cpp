#include "api/openapi_support.hpp"

#include <set>

#include "http/request.hpp"

namespace relais::api {

Json schema_ref(const std::string& component) {
  return Json{{"$ref", "#/components/schemas/" + component}};
}

Json page_schema(const Json& item) {
  return Json{{"type", "object"},
              {"required", {"data", "next_cursor"}},
              {"properties",
               {{"data", {{"type", "array"}, {"items", item}}},
                {"next_cursor",
                 {{"type", {"string", "null"}},
                  {"description", "pass as ?cursor= to get the next page; null on the last"}}}}},
              {"additionalProperties", false}};
}

Json json_content(const Json& schema) { return Json{{"application/json", {{"schema", schema}}}}; }

Json json_response(const std::string& description, const Json& schema) {
  return Json{{"description", description}, {"content", json_content(schema)}};
}

void add_errors(Json& operation, std::initializer_list<ErrorCode> codes) {
  std::set<int> statuses;
  for (ErrorCode code : codes) statuses.insert(http::status_for(code));
  statuses.insert(http::status_for(ErrorCode::kInternal));
  for (int status : statuses) {
    operation["responses"][std::to_string(status)] = {{"$ref", "#/components/responses/Error"}};
  }
  operation["responses"]["default"] = {{"$ref", "#/components/responses/Error"}};
}

Json operation(const std::string& id, const std::string& summary, const std::string& tag) {
  return Json{
      {"operationId", id}, {"summary", summary}, {"tags", {tag}}, {"responses", Json::object()}};
}

Json json_body(const Json& schema) {
  return Json{{"required", true}, {"content", json_content(schema)}};
}

Json param_ref(const std::string& name) {
  return Json{{"$ref", "#/components/parameters/" + name}};
}

}  // namespace relais::api
