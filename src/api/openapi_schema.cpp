// GET /api/v1/schema in the OpenAPI document: the shape schema_json.hpp renders. The field
// types are listed from domain::field_type_name, so a new FieldType shows up here too.
#include <string>

#include "api/openapi_support.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::api {
namespace {

Json field_type_names() {
  Json names = Json::array();
  for (domain::FieldType type :
       {domain::FieldType::kText, domain::FieldType::kInteger, domain::FieldType::kMoney,
        domain::FieldType::kCurrency, domain::FieldType::kDate, domain::FieldType::kDateTime,
        domain::FieldType::kBoolean, domain::FieldType::kEnum, domain::FieldType::kTextList,
        domain::FieldType::kReference, domain::FieldType::kReferenceList,
        domain::FieldType::kObject, domain::FieldType::kList}) {
    names.push_back(domain::field_type_name(type));
  }
  return names;
}

Json labels() {
  return Json{{"type", "object"},
              {"required", {"en", "fr"}},
              {"additionalProperties", false},
              {"properties", {{"en", {{"type", "string"}}}, {"fr", {{"type", "string"}}}}}};
}

Json strings() { return Json{{"type", "array"}, {"items", {{"type", "string"}}}}; }

}  // namespace

void add_schema_paths(Json& paths) {
  Json op = operation("get_schema",
                      "Every record type: its fields (type, flags, limits, labels in English "
                      "and French), this installation's custom fields, and what the caller may "
                      "do with it",
                      "meta");
  op["responses"]["200"] = json_response("the record types", schema_ref("RecordTypes"));
  add_errors(op, {ErrorCode::kUnauthorized});
  paths["/api/v1/schema"]["get"] = std::move(op);
}

void add_schema_schemas(Json& s) {
  const Json boolean{{"type", "boolean"}};
  const Json reach{{"type", "string"}, {"enum", {"none", "scope", "all"}}};
  s["FieldDescription"] = {
      {"type", "object"},
      {"required",
       {"name", "type", "label", "required", "read_only", "searchable", "sortable", "filterable"}},
      {"additionalProperties", false},
      {"properties",
       {{"name", {{"type", "string"}, {"description", "JSON name in records and bodies"}}},
        {"type", {{"type", "string"}, {"enum", field_type_names()}}},
        {"label", labels()},
        {"required", boolean},
        {"read_only", boolean},
        {"searchable", boolean},
        {"sortable", boolean},
        {"filterable", boolean},
        {"text_format", {{"type", "string"}, {"enum", {"line", "multiline", "time_zone"}}}},
        {"max_length",
         {{"type", "integer"}, {"description", "bytes of UTF-8 (text, and each list item)"}}},
        {"max_items", {{"type", "integer"}}},
        {"enum_values", strings()},
        {"references", {{"type", "string"}, {"description", "the referenced record type"}}},
        {"references_plural", {{"type", "string"}, {"description", "its URL segment"}}},
        {"default", {{"description", "applied on create when the field is absent"}}}}}};
  s["CustomFieldDescription"] = {
      {"type", "object"},
      {"required", {"key", "label", "type", "options", "required"}},
      {"additionalProperties", false},
      {"properties",
       {{"key", {{"type", "string"}, {"description", "the member of the record's custom"}}},
        {"label", {{"type", "string"}}},
        {"type",
         {{"type", "string"}, {"enum", {"text", "number", "date", "enum", "boolean", "money"}}}},
        {"options", strings()},
        {"required", boolean}}}};
  s["ImportFieldDescription"] = {
      {"type", "object"},
      {"required", {"field", "label", "synonyms"}},
      {"additionalProperties", false},
      {"properties",
       {{"field", {{"type", "string"}}},
        {"label", labels()},
        {"synonyms",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description",
           "headers that map to the field by themselves, folded: lower case, accents removed, "
           "punctuation as single spaces"}}}}}};
  s["RecordType"] = {
      {"type", "object"},
      {"required",
       {"name", "plural", "owned", "has_timeline", "on_timeline", "exportable", "importable",
        "fields", "access"}},
      {"additionalProperties", false},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"plural", {{"type", "string"}, {"description", "URL segment: /api/v1/<plural>"}}},
        {"owned", {{"type", "boolean"}, {"description", "has owner_id/team_id"}}},
        {"has_timeline", {{"type", "boolean"}, {"description", "GET /<plural>/{id}/timeline"}}},
        {"on_timeline",
         {{"type", "boolean"}, {"description", "shows on the timelines of what it references"}}},
        {"exportable", {{"type", "boolean"}, {"description", "GET /<plural>/export.csv"}}},
        {"importable", {{"type", "boolean"}, {"description", "POST /imports/<plural>"}}},
        {"fields", {{"type", "array"}, {"items", schema_ref("FieldDescription")}}},
        {"access",
         {{"type", "object"},
          {"required", {"read", "write", "create", "list"}},
          {"additionalProperties", false},
          {"description", "what the caller may do with records of this type"},
          {"properties",
           {{"read", reach}, {"write", reach}, {"create", boolean}, {"list", boolean}}}}},
        {"custom_fields",
         {{"type", "array"},
          {"items", schema_ref("CustomFieldDescription")},
          {"description", "types with a custom field: this installation's definitions"}}},
        {"import_fields",
         {{"type", "array"},
          {"items", schema_ref("ImportFieldDescription")},
          {"description", "importable types: what CSV columns can feed"}}}}}};
  s["RecordTypes"] = {
      {"type", "object"},
      {"required", {"entities"}},
      {"additionalProperties", false},
      {"properties", {{"entities", {{"type", "array"}, {"items", schema_ref("RecordType")}}}}}};
}

}  // namespace relais::api
