#include "api/schema_json.hpp"

#include <string>

#include "domain/auth/permissions.hpp"
#include "domain/importing/header_mapping.hpp"

namespace relais::api {
namespace {

using domain::FieldType;

const char* text_format_name(domain::TextFormat format) {
  switch (format) {
    case domain::TextFormat::kLine:
      return "line";
    case domain::TextFormat::kMultiline:
      return "multiline";
    case domain::TextFormat::kTimeZone:
      return "time_zone";
  }
  return "line";
}

const char* reach_name(domain::Reach reach) {
  switch (reach) {
    case domain::Reach::kNone:
      return "none";
    case domain::Reach::kScope:
      return "scope";
    case domain::Reach::kAll:
      return "all";
  }
  return "none";
}

bool importable(const domain::EntitySchema& schema) {
  domain::importing::ImportKind kind{};
  return domain::importing::parse_import_kind(schema.plural, kind);
}

}  // namespace

Json field_json(const domain::FieldDef& field) {
  Json out{{"name", field.name},
           {"type", domain::field_type_name(field.type)},
           {"label", {{"en", field.label_en}, {"fr", field.label_fr}}},
           {"required", field.required},
           {"read_only", field.read_only},
           {"searchable", field.searchable},
           {"sortable", field.sortable},
           {"filterable", field.filterable}};
  switch (field.type) {
    case FieldType::kText:
      out["text_format"] = text_format_name(field.text_format);
      out["max_length"] = field.max_length;
      break;
    case FieldType::kTextList:
      out["text_format"] = text_format_name(field.text_format);
      out["max_length"] = field.max_length;
      out["max_items"] = field.max_items;
      break;
    case FieldType::kReferenceList:
    case FieldType::kList:
      out["max_items"] = field.max_items;
      break;
    default:
      break;
  }
  if (field.type == FieldType::kEnum) out["enum_values"] = field.enum_values;
  if (!field.references.empty()) {
    out["references"] = field.references;
    if (const domain::EntitySchema* target = domain::find_schema(field.references)) {
      out["references_plural"] = target->plural;
    }
  }
  if (!field.default_value.is_null()) out["default"] = field.default_value;
  return out;
}

Json entity_json(const domain::EntitySchema& schema) {
  Json fields = Json::array();
  for (const auto& field : schema.fields) fields.push_back(field_json(field));
  return Json{{"name", schema.name},
              {"plural", schema.plural},
              {"owned", schema.owned},
              {"has_timeline", schema.has_timeline},
              {"on_timeline", schema.on_timeline.has_value()},
              {"exportable", schema.exportable},
              {"importable", importable(schema)},
              {"fields", std::move(fields)}};
}

Json access_json(const domain::Actor& actor, const domain::EntitySchema& schema) {
  const domain::SchemaAccess access = domain::schema_access(actor, schema);
  return Json{{"read", reach_name(access.read)},
              {"write", reach_name(access.write)},
              {"create", access.create},
              {"list", domain::can_list(actor, schema)}};
}

Json custom_field_json(const Json& definition) {
  const auto text = [&](const char* name) {
    const auto it = definition.find(name);
    return it != definition.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto options = definition.find("options");
  const auto required = definition.find("required");
  return Json{
      {"key", text("key")},
      {"label", text("label")},
      {"type", text("type")},
      {"options", options != definition.end() && options->is_array() ? *options : Json::array()},
      {"required",
       required != definition.end() && required->is_boolean() && required->get<bool>()}};
}

}  // namespace relais::api
