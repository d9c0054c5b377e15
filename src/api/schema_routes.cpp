// GET /api/v1/schema: every record type the server knows, for clients that build their forms
// from it (the web UI loads it once after sign-in). See schema_json.hpp for the shape.
#include <map>
#include <string>

#include "api/handler_support.hpp"
#include "api/route_groups.hpp"
#include "api/schema_json.hpp"
#include "domain/auth/permissions.hpp"
#include "domain/importing/header_mapping.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::api {
namespace {

// The custom field definitions of this installation, by record type ("contact").
Result<std::map<std::string, Json>> custom_fields_by_entity(domain::Services& services,
                                                            const domain::Actor& actor) {
  std::map<std::string, Json> out;
  domain::ListRequest request;
  request.limit = 500;
  request.sort = "id";
  for (;;) {
    RELAIS_ASSIGN_OR_RETURN(domain::Page page, services.custom_fields.list(actor, request));
    for (const Json& definition : page.items) {
      const std::string entity = definition.value("entity", "");
      auto [it, added] = out.try_emplace(entity, Json::array());
      it->second.push_back(custom_field_json(definition));
    }
    if (!page.next_cursor) break;
    request.cursor = *page.next_cursor;
  }
  return out;
}

// What the import of `schema` maps columns to, for this actor: a creation date column is
// only kept for those who may (domain/auth/permissions.hpp, can_keep_creation_dates).
Json import_fields_json(const domain::Actor& actor, const domain::EntitySchema& schema) {
  domain::importing::ImportKind kind{};
  if (!domain::importing::parse_import_kind(schema.plural, kind)) return nullptr;
  Json fields = Json::array();
  for (const auto& info : domain::importing::describe_import_fields(kind)) {
    if (info.field == "created_at" && !domain::can_keep_creation_dates(actor)) continue;
    fields.push_back(Json{{"field", info.field},
                          {"label", {{"en", info.label_en}, {"fr", info.label_fr}}},
                          {"synonyms", info.synonyms}});
  }
  return fields;
}

http::Response describe(domain::Services& services, const domain::Actor& actor) {
  auto custom = custom_fields_by_entity(services, actor);
  if (!custom.ok()) return http::Response::error(custom.error());
  Json entities = Json::array();
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    Json entity = entity_json(*schema);
    entity["access"] = access_json(actor, *schema);
    if (schema->field("custom") != nullptr) {
      const auto it = custom->find(schema->name);
      entity["custom_fields"] = it != custom->end() ? it->second : Json::array();
    }
    if (Json import = import_fields_json(actor, *schema); !import.is_null()) {
      entity["import_fields"] = std::move(import);
    }
    entities.push_back(std::move(entity));
  }
  return http::Response::json(200, Json{{"entities", std::move(entities)}});
}

}  // namespace

void register_schema_routes(http::Router& router, domain::Services& services) {
  router.add("GET", "/api/v1/schema",
             authenticated(services, [&services](http::Request&, const domain::Actor& actor) {
               return describe(services, actor);
             }));
}

}  // namespace relais::api
