// Builds the OpenAPI document. Paths mirror what register_routes() wires; the error
// statuses come from http::status_for, the same mapping the responses use.
#include "api/openapi.hpp"

#include <string>
#include <vector>

#include "api/openapi_support.hpp"
#include "api/route_groups.hpp"
#include "domain/schema/entity_schema.hpp"
#include "http/request.hpp"

namespace relais::api {
namespace {

using domain::EntitySchema;
using domain::FieldDef;
using domain::FieldType;

std::string component_name(const std::string& snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

Json stage_schema() {
  return Json{{"type", "object"},
              {"required", {"id", "name"}},
              {"properties",
               {{"id", {{"type", "string"}}},
                {"name", {{"type", "string"}}},
                {"probability", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
                {"kind", {{"type", "string"}, {"enum", {"open", "won", "lost"}}}}}}};
}

// The server limits text in bytes of UTF-8 (after trimming), whereas JSON Schema's maxLength
// counts characters: "é" is 1 character but 2 bytes. A maxLength would call valid what the
// server refuses, so the limit is stated in the description and in x-maxBytes instead.
Json text_schema(std::size_t max_bytes) {
  return Json{{"type", "string"},
              {"pattern", "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$"},
              {"x-maxBytes", max_bytes},
              {"description", "at most " + std::to_string(max_bytes) +
                                  " bytes of UTF-8 once surrounding white space is trimmed "
                                  "(bytes, not characters: an accented letter counts 2)"}};
}

// JSON Schema of one field's value; `nullable` adds null (fields a record may leave unset).
Json field_schema(const EntitySchema& entity, const FieldDef& field, bool nullable) {
  Json s = Json::object();
  switch (field.type) {
    case FieldType::kText:
      s = text_schema(field.max_length);
      if (field.text_format == domain::TextFormat::kTimeZone) {
        s["description"] = "an IANA time zone name such as Europe/Paris, at most " +
                           std::to_string(field.max_length) + " bytes";
      } else if (field.text_format == domain::TextFormat::kMultiline) {
        s["description"] = s["description"].get<std::string>() + "; line breaks allowed";
      }
      break;
    case FieldType::kInteger:
      s = {{"type", "integer"}};
      break;
    case FieldType::kMoney:
      s = {{"type", "integer"}, {"description", "amount in minor units (cents)"}};
      break;
    case FieldType::kCurrency:
      s = {{"type", "string"}, {"pattern", "^[A-Z]{3}$"}, {"description", "ISO 4217 code"}};
      break;
    case FieldType::kDate:
      s = {{"type", "string"}, {"format", "date"}};
      break;
    case FieldType::kDateTime:
      s = {{"type", "string"}, {"format", "date-time"}};
      break;
    case FieldType::kBoolean:
      s = {{"type", "boolean"}};
      break;
    case FieldType::kEnum:
      s = {{"type", "string"}, {"enum", field.enum_values}};
      break;
    case FieldType::kTextList:
      s = {{"type", "array"},
           {"maxItems", field.max_items},
           {"items", text_schema(field.max_length)}};
      break;
    case FieldType::kReference:
      s = {{"type", "integer"}, {"description", "id of a " + field.references}};
      break;
    case FieldType::kReferenceList:
      s = {{"type", "array"},
           {"maxItems", field.max_items},
           {"items", {{"type", "integer"}}},
           {"description", "ids of " + field.references + " records"}};
      break;
    case FieldType::kObject:
      s = {{"type", "object"}};
      break;
    case FieldType::kList:
      s = {{"type", "array"},
           {"maxItems", field.max_items},
           {"items", entity.name == "pipeline" && field.name == "stages"
                         ? stage_schema()
                         : Json{{"type", "object"}}}};
      break;
  }
  if (nullable) {
    s["type"] = Json::array({s["type"], "null"});
    if (s.contains("enum")) s["enum"].push_back(nullptr);
  }
  if (!field.label_en.empty()) s["title"] = field.label_en;
  if (!field.default_value.is_null()) s["default"] = field.default_value;
  return s;
}

// The record as the server returns it: every field, read-only ones marked.
Json record_schema(const EntitySchema& entity) {
  Json properties = Json::object();
  Json required = Json::array();
  for (const auto& field : entity.fields) {
    // Every field is present in a returned record; an unset one is null.
    const bool never_null = field.required || field.name == "id" || field.name == "version" ||
                            field.name == "created_at" || field.name == "updated_at";
    Json s = field_schema(entity, field, !never_null);
    if (field.read_only) s["readOnly"] = true;
    properties[field.name] = std::move(s);
    required.push_back(field.name);
  }
  return Json{{"type", "object"},
              {"properties", std::move(properties)},
              {"required", std::move(required)},
              {"additionalProperties", false}};
}

// Create (all required fields present) or update (any subset) request bodies. Read-only
// fields are left out: the server rejects them like any unknown field.
Json write_schema(const EntitySchema& entity, bool create) {
  Json properties = Json::object();
  Json required = Json::array();
  for (const auto& field : entity.fields) {
    if (field.read_only) continue;
    properties[field.name] = field_schema(entity, field, !field.required);
    if (create && field.required) required.push_back(field.name);
  }
  if (entity.name == "user" && create) {
    properties["password"] = {
        {"type", "string"},
        {"minLength", 12},
        {"maxLength", 128},
        {"writeOnly", true},
        {"description",
         "sets the user's password (admins only): 12 to 128 characters (runs of white space "
         "count once), not only white space, not a common or leaked password"}};
  }
  Json s{
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

Json error_schema() {
  std::vector<std::string> codes;
  for (ErrorCode code :
       {ErrorCode::kBadRequest, ErrorCode::kValidationFailed, ErrorCode::kUnauthorized,
        ErrorCode::kForbidden, ErrorCode::kNotFound, ErrorCode::kConflict,
        ErrorCode::kPayloadTooLarge, ErrorCode::kUnsupportedMediaType, ErrorCode::kRateLimited,
        ErrorCode::kInternal}) {
    codes.emplace_back(error_code_name(code));
  }
  std::string known;
  for (const auto& c : codes) known += (known.empty() ? "" : ", ") + c;
  return Json{
      {"type", "object"},
      {"required", {"error"}},
      {"additionalProperties", false},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"description",
           "extra members carry machine-readable details, e.g. existing_id on a duplicate "
           "e-mail or domain (only when the caller may read that record) or position on a "
           "syntax error"},
          {"properties",
           {{"code", {{"type", "string"}, {"description", "one of: " + known}}},
            {"message", {{"type", "string"}}},
            {"fields",
             {{"type", "object"},
              {"additionalProperties", {{"type", "string"}}},
              {"description", "per-field messages"}}},
            {"existing_id", {{"type", "integer"}}},
            {"position", {{"type", "integer"}, {"minimum", 0}}},
            {"retry_after",
             {{"type", "integer"},
              {"minimum", 1},
              {"description",
               "rate_limited: seconds to wait, also sent as the Retry-After header"}}}}}}}}}};
}

Json list_parameters() {
  return Json::array({param_ref("limit"), param_ref("cursor"), param_ref("q"), param_ref("sort"),
                      param_ref("filter")});
}

Json record_headers(bool created) {
  Json headers{
      {"ETag",
       {{"description", "the record's version, for If-Match"}, {"schema", {{"type", "string"}}}}}};
  if (created) {
    headers["Location"] = {{"description", "URL of the new record"},
                           {"schema", {{"type", "string"}}}};
  }
  return headers;
}

void add_record_paths(Json& paths, const EntitySchema& entity) {
  const std::string name = component_name(entity.name);
  const std::string collection = "/api/v1/" + entity.plural;
  const std::string tag = entity.plural;

  Json list_op = operation("list_" + entity.plural, "List " + entity.plural, tag);
  list_op["parameters"] = list_parameters();
  list_op["responses"]["200"] = json_response("one page", schema_ref(name + "Page"));
  add_errors(list_op, {ErrorCode::kBadRequest, ErrorCode::kValidationFailed,
                       ErrorCode::kUnauthorized, ErrorCode::kForbidden});
  paths[collection]["get"] = std::move(list_op);

  Json create_op = operation("create_" + entity.name, "Create a " + entity.name, tag);
  create_op["requestBody"] = json_body(schema_ref(name + "Create"));
  create_op["responses"]["201"] = json_response("created", schema_ref(name));
  create_op["responses"]["201"]["headers"] = record_headers(true);
  add_errors(create_op, kAuthErrors);
  add_errors(create_op, kBodyErrors);
  add_errors(create_op, {ErrorCode::kConflict});
  paths[collection]["post"] = std::move(create_op);

  const std::string item = collection + "/{id}";
  paths[item]["parameters"] = Json::array({param_ref("id")});
  Json get_op = operation("get_" + entity.name, "Get a " + entity.name, tag);
  get_op["responses"]["200"] = json_response("the record", schema_ref(name));
  get_op["responses"]["200"]["headers"] = record_headers(false);
  add_errors(get_op, kAuthErrors);
  add_errors(get_op, {ErrorCode::kNotFound});
  paths[item]["get"] = std::move(get_op);

  Json patch_op = operation("update_" + entity.name, "Change fields of a " + entity.name, tag);
  patch_op["parameters"] = Json::array({param_ref("ifMatch")});
  patch_op["requestBody"] = json_body(schema_ref(name + "Update"));
  patch_op["responses"]["200"] = json_response("the updated record", schema_ref(name));
  patch_op["responses"]["200"]["headers"] = record_headers(false);
  add_errors(patch_op, kAuthErrors);
  add_errors(patch_op, kBodyErrors);
  add_errors(patch_op, {ErrorCode::kNotFound, ErrorCode::kConflict});
  paths[item]["patch"] = std::move(patch_op);

  Json delete_op = operation("delete_" + entity.name, "Delete a " + entity.name, tag);
  delete_op["parameters"] = Json::array({param_ref("ifMatch")});
  delete_op["responses"]["204"] = {{"description", "deleted"}};
  add_errors(delete_op, kAuthErrors);
  add_errors(delete_op, {ErrorCode::kBadRequest, ErrorCode::kNotFound, ErrorCode::kConflict});
  paths[item]["delete"] = std::move(delete_op);
}

void add_special_paths(Json& paths) {
  for (const EntitySchema* schema : domain::all_schemas()) {
    if (!schema->has_timeline) continue;
    const std::string& entity = schema->name;
    const std::string path = "/api/v1/" + schema->plural + "/{id}/timeline";
    Json op = operation(entity + "_timeline", "History of a " + entity + ", newest first",
                        schema->plural);
    op["parameters"] = Json::array({param_ref("id"), param_ref("limit"), param_ref("cursor")});
    op["responses"]["200"] = json_response("one page of history", schema_ref("TimelinePage"));
    add_errors(op, kAuthErrors);
    add_errors(op, {ErrorCode::kBadRequest, ErrorCode::kNotFound});
    paths[path]["get"] = std::move(op);
  }

  Json merge = operation("merge_contacts", "Merge another contact into this one", "contacts");
  merge["parameters"] = Json::array({param_ref("id")});
  merge["requestBody"] = json_body(schema_ref("MergeRequest"));
  merge["responses"]["200"] = json_response("the surviving contact", schema_ref("Contact"));
  merge["responses"]["200"]["headers"] = record_headers(false);
  add_errors(merge, kAuthErrors);
  add_errors(merge, kBodyErrors);
  add_errors(merge, {ErrorCode::kNotFound, ErrorCode::kConflict});
  paths["/api/v1/contacts/{id}/merge"]["post"] = std::move(merge);

  for (const char* child : {"contacts", "deals"}) {
    const std::string child_name = component_name(domain::find_schema(child)->name);
    Json op = operation(std::string("company_") + child, std::string("The company's ") + child,
                        "companies");
    op["parameters"] = list_parameters();
    op["parameters"].insert(op["parameters"].begin(), param_ref("id"));
    op["responses"]["200"] = json_response("one page", schema_ref(child_name + "Page"));
    add_errors(op, kAuthErrors);
    add_errors(op, {ErrorCode::kBadRequest, ErrorCode::kValidationFailed, ErrorCode::kNotFound});
    paths[std::string("/api/v1/companies/{id}/") + child]["get"] = std::move(op);
  }

  add_auth_paths(paths);

  add_import_export_paths(paths);
  add_schema_paths(paths);

  Json health = operation("healthz", "Liveness: 200 once the server accepts requests", "meta");
  health["security"] = Json::array();
  health["responses"]["200"] = json_response("the server is up", schema_ref("Health"));
  paths["/healthz"]["get"] = std::move(health);

  Json spec = operation("openapi", "This document", "meta");
  spec["security"] = Json::array();
  spec["responses"]["200"] = json_response("OpenAPI 3.1 document", Json{{"type", "object"}});
  paths["/api/v1/openapi.json"]["get"] = std::move(spec);
}

Json parameters() {
  Json p = Json::object();
  p["id"] = {{"name", "id"},
             {"in", "path"},
             {"required", true},
             {"schema", {{"type", "integer"}, {"minimum", 1}}}};
  p["limit"] = {
      {"name", "limit"},
      {"in", "query"},
      {"description", "page size"},
      {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}}};
  p["cursor"] = {{"name", "cursor"},
                 {"in", "query"},
                 {"description", "opaque, the next_cursor of the previous page"},
                 {"schema", {{"type", "string"}}}};
  p["q"] = {{"name", "q"},
            {"in", "query"},
            {"description", "full-text search: prefix and accent-insensitive"},
            {"schema", {{"type", "string"}}}};
  p["sort"] = {{"name", "sort"},
               {"in", "query"},
               {"description", "field or -field (descending), comma-separated"},
               {"schema", {{"type", "string"}}}};
  p["filter"] = {
      {"name", "filter"},
      {"in", "query"},
      {"description",
       "filter language, e.g. city = \"Lyon\" and (lifecycle_stage in (\"lead\",\"mql\") "
       "or score >= 50)"},
      {"schema", {{"type", "string"}}}};
  p["ifMatch"] = {{"name", "If-Match"},
                  {"in", "header"},
                  {"description", "the version last seen (ETag); a stale one gives 409"},
                  {"schema", {{"type", "string"}}}};
  return p;
}

Json schemas() {
  Json s = Json::object();
  s["Error"] = error_schema();
  add_job_schemas(s);
  add_schema_schemas(s);
  for (const EntitySchema* entity : domain::all_schemas()) {
    const std::string name = component_name(entity->name);
    s[name] = record_schema(*entity);
    s[name + "Create"] = write_schema(*entity, true);
    s[name + "Update"] = write_schema(*entity, false);
    s[name + "Page"] = page_schema(schema_ref(name));
  }
  s["TimelineItem"] = {
      {"type", "object"},
      {"required", {"kind", "at"}},
      {"properties",
       {{"kind",
         {{"type", "string"}, {"description", "activity, note, task, stage_change, change, ..."}}},
        {"at", {{"type", "string"}, {"format", "date-time"}}},
        {"id", {{"type", "integer"}}},
        {"actor_user_id", {{"type", {"integer", "null"}}}}}}};
  s["TimelinePage"] = page_schema(schema_ref("TimelineItem"));
  s["MergeRequest"] = {{"type", "object"},
                       {"required", {"from"}},
                       {"additionalProperties", false},
                       {"properties",
                        {{"from",
                          {{"description", "id of the contact merged into this one, then deleted"},
                           {"oneOf",
                            {{{"type", "integer"}, {"minimum", 1}},
                             {{"type", "string"}, {"pattern", "^[1-9][0-9]*$"}}}}}}}}};
  s["LoginRequest"] = {
      {"type", "object"},
      {"required", {"email", "password"}},
      {"additionalProperties", false},
      {"properties",
       {{"email", {{"type", "string"}, {"minLength", 1}}},
        {"password", {{"type", "string"}, {"minLength", 1}, {"writeOnly", true}}},
        {"session",
         {{"type", "string"},
          {"enum", {"token", "cookie"}},
          {"default", "token"},
          {"description",
           "token: the session token is returned in the body (API clients) and set as the "
           "cookie; cookie: only the HttpOnly cookie carries it, the body has no token (the "
           "web UI signs in this way, so no page script can read it)"}}}}}};
  s["LoginResponse"] = {
      {"type", "object"},
      {"required", {"csrf_token", "user", "expires_at"}},
      {"additionalProperties", false},
      {"properties",
       {{"token",
         {{"type", "string"},
          {"description", "the bearer token (absent when \"session\": \"cookie\" was asked)"}}},
        {"csrf_token", {{"type", "string"}}},
        {"user", schema_ref("User")},
        {"expires_at", {{"type", {"string", "null"}}, {"format", "date-time"}}}}}};
  s["Me"] = {{"type", "object"},
             {"required", {"user", "kind"}},
             {"additionalProperties", false},
             {"properties",
              {{"user", schema_ref("User")},
               {"kind", {{"type", "string"}, {"enum", {"session", "api_token"}}}},
               {"csrf_token",
                {{"type", "string"},
                 {"description", "present for cookie sessions: echo it in X-CSRF-Token"}}}}}};
  // The user fields anyone may change on their own record (AuthService::update_own_profile).
  Json profile = Json::object();
  for (const char* name : {"name", "locale", "time_zone"}) {
    profile[name] = s["UserUpdate"]["properties"][name];
  }
  s["ProfileUpdate"] = {
      {"type", "object"}, {"additionalProperties", false}, {"properties", std::move(profile)}};
  s["ProfileResponse"] = {{"type", "object"},
                          {"required", {"user"}},
                          {"additionalProperties", false},
                          {"properties", {{"user", schema_ref("User")}}}};
  s["PasswordChange"] = {
      {"type", "object"},
      {"required", {"current_password", "new_password"}},
      {"additionalProperties", false},
      {"properties",
       {{"current_password", {{"type", "string"}, {"minLength", 1}, {"writeOnly", true}}},
        {"new_password",
         {{"type", "string"},
          {"minLength", 12},
          {"maxLength", 128},
          {"writeOnly", true},
          {"description",
           "12 to 128 characters (runs of white space count once), not only white space, not "
           "a common or leaked password (422 validation_failed on fields.new_password)"}}}}}};
  s["TokenRequest"] = {
      {"type", "object"},
      {"required", {"name"}},
      {"additionalProperties", false},
      {"properties",
       {{"name", {{"type", "string"}, {"minLength", 1}}},
        {"scopes",
         {{"type", "array"},
          {"minItems", 1},
          {"items", {{"type", "string"}, {"enum", {"read", "write"}}}}}},
        {"expires_in_days", {{"type", "integer"}, {"minimum", 1}, {"maximum", 3650}}},
        {"expires_at", {{"type", {"string", "null"}}, {"format", "date-time"}}}}}};
  s["ImportRejectedRow"] = {
      {"type", "object"},
      {"required", {"row", "column", "reason"}},
      {"additionalProperties", false},
      {"properties",
       {{"row",
         {{"type", "integer"},
          {"minimum", 2},
          {"description", "line number in the file (the header is line 1)"}}},
        {"column",
         {{"type", "string"},
          {"description", "header of the offending column; empty when not about one column"}}},
        {"reason", {{"type", "string"}}},
        {"existing_id",
         {{"type", "integer"},
          {"description",
           "duplicates: the record that already holds the value, when the importing user may "
           "read it"}}}}}};
  s["ImportReport"] = {
      {"type", "object"},
      {"required",
       {"rows", "imported", "rejected", "dry_run", "encoding", "separator", "mapping",
        "unmapped_columns"}},
      {"additionalProperties", false},
      {"properties",
       {{"rows", {{"type", "integer"}, {"minimum", 0}, {"description", "data rows read"}}},
        {"imported",
         {{"type", "integer"},
          {"minimum", 0},
          {"description", "rows created (in a dry run: that would be)"}}},
        {"rejected", {{"type", "array"}, {"items", schema_ref("ImportRejectedRow")}}},
        {"dry_run", {{"type", "boolean"}}},
        {"encoding", {{"type", "string"}, {"enum", {"utf-8", "windows-1252"}}}},
        {"separator", {{"type", "string"}, {"enum", {",", ";"}}}},
        {"mapping",
         {{"type", "object"},
          {"additionalProperties", {{"type", "string"}}},
          {"description", "CSV header -> import field"}}},
        {"unmapped_columns", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  s["Health"] = {{"type", "object"},
                 {"required", {"status"}},
                 {"additionalProperties", false},
                 {"properties", {{"status", {{"const", "ok"}}}}}};
  Json token_properties = {
      {"id", {{"type", "integer"}}},
      {"user_id", {{"type", "integer"}}},
      {"name", {{"type", "string"}}},
      {"scopes", {{"type", "array"}, {"items", {{"type", "string"}, {"enum", {"read", "write"}}}}}},
      {"created_at", {{"type", "string"}, {"format", "date-time"}}},
      {"expires_at", {{"type", {"string", "null"}}, {"format", "date-time"}}},
      {"parent_id",
       {{"type", {"integer", "null"}},
        {"description", "the API token this one was created with; revoking it revokes this"}}}};
  const Json token_required = {"id",         "user_id",    "name",     "scopes",
                               "created_at", "expires_at", "parent_id"};
  s["ApiToken"] = {{"type", "object"},
                   {"required", token_required},
                   {"additionalProperties", false},
                   {"properties", token_properties}};
  token_properties["token"] = {{"type", "string"}, {"minLength", 1}};
  Json new_required = token_required;
  new_required.push_back("token");
  s["NewApiToken"] = {{"type", "object"},
                      {"required", new_required},
                      {"additionalProperties", false},
                      {"properties", std::move(token_properties)}};
  s["ApiTokenList"] = {{"type", "object"},
                       {"required", {"data", "next_cursor"}},
                       {"additionalProperties", false},
                       {"properties",
                        {{"data", {{"type", "array"}, {"items", schema_ref("ApiToken")}}},
                         {"next_cursor", {{"type", "null"}}}}}};
  return s;
}

Json build_document() {
  Json paths = Json::object();
  for (const EntitySchema* entity : domain::all_schemas()) add_record_paths(paths, *entity);
  add_special_paths(paths);
  add_job_paths(paths);
  return Json{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Relais API"},
        {"version", "0.1.0"},
        {"description",
         "Self-hosted CRM. Cookie-authenticated POST/PATCH/PUT/DELETE need X-CSRF-Token."}}},
      {"jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema"},
      {"servers", {{{"url", "/"}}}},
      {"security", {{{"bearerAuth", Json::array()}}, {{"sessionCookie", Json::array()}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", schemas()},
        {"parameters", parameters()},
        {"responses", {{"Error", json_response("an error", schema_ref("Error"))}}},
        {"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}},
          {"sessionCookie",
           {{"type", "apiKey"}, {"in", "cookie"}, {"name", "relais_session"}}}}}}}};
}

}  // namespace

const Json& openapi_document() {
  static const Json document = build_document();
  return document;
}

void register_openapi_route(http::Router& router) {
  // Public: it describes the API, not any data.
  router.add("GET", "/api/v1/openapi.json", [](http::Request&) {
    http::Response response = http::Response::json(200, openapi_document());
    response.set_header("Cache-Control", "public, max-age=300");
    return response;
  });
}

}  // namespace relais::api
