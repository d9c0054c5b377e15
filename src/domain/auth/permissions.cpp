#include "domain/auth/permissions.hpp"

#include <optional>
#include <string_view>

namespace relais::domain {
namespace {

constexpr SchemaAccess kAll{Reach::kAll, Reach::kAll, true};
constexpr SchemaAccess kReadAll{Reach::kAll, Reach::kNone, false};
constexpr SchemaAccess kReadScope{Reach::kScope, Reach::kNone, false};
constexpr SchemaAccess kReadWriteScope{Reach::kScope, Reach::kScope, true};

std::optional<std::int64_t> id_field(const Json& record, const char* name) {
  auto it = record.find(name);
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

SchemaAccess schema_access(const Actor& actor, const EntitySchema& schema) {
  if (actor.is_system() || actor.role == Role::kAdmin) return kAll;
  const std::string_view name = schema.name;
  const bool people = name == "user" || name == "team";
  const bool config = name == "pipeline" || name == "custom_field";
  const bool engagement = name == "activity" || name == "note" || name == "task";
  const bool crm = name == "contact" || name == "company";
  const bool deal = name == "deal";
  if (!people && !config && !engagement && !crm && !deal) return {};

  if (people) return kReadAll;  // the directory; admin (who writes) returned above
  if (config) return actor.role == Role::kManager ? kAll : kReadAll;
  switch (actor.role) {
    case Role::kAdmin:
    case Role::kManager:
      return kAll;
    case Role::kSales:
      return kReadWriteScope;
    case Role::kMarketing:
      return deal ? kReadScope : kReadWriteScope;
    case Role::kSupport:
      return engagement ? kReadWriteScope : kReadScope;
    case Role::kReadonly:
      return kReadScope;
  }
  return {};
}

bool in_scope(const Actor& actor, const EntitySchema& schema, const Json& record) {
  if (schema.name == "user") return id_field(record, "id") == actor.user_id;
  if (schema.name == "team") return actor.team_id && id_field(record, "id") == actor.team_id;
  if (!schema.owned) return true;
  const auto owner = id_field(record, "owner_id");
  if (!owner) return true;  // unowned records are shared
  if (*owner == actor.user_id) return true;
  const auto team = id_field(record, "team_id");
  return actor.team_id && team && *team == *actor.team_id;
}

namespace {
bool reaches(Reach reach, const Actor& actor, const EntitySchema& schema, const Json& record) {
  switch (reach) {
    case Reach::kNone:
      return false;
    case Reach::kAll:
      return true;
    case Reach::kScope:
      return in_scope(actor, schema, record);
  }
  return false;
}
}  // namespace

bool can_read(const Actor& actor, const EntitySchema& schema, const Json& record) {
  return reaches(schema_access(actor, schema).read, actor, schema, record);
}

bool can_write(const Actor& actor, const EntitySchema& schema, const Json& record) {
  return reaches(schema_access(actor, schema).write, actor, schema, record);
}

bool can_create(const Actor& actor, const EntitySchema& schema) {
  return schema_access(actor, schema).create;
}

bool can_list(const Actor& actor, const EntitySchema& schema) {
  const Reach read = schema_access(actor, schema).read;
  return read == Reach::kAll || (read == Reach::kScope && schema.owned);
}

bool can_keep_creation_dates(const Actor& actor) {
  return actor.is_system() || actor.role == Role::kAdmin;
}

Visibility visibility(const Actor& actor, const EntitySchema& schema) {
  Visibility v;
  if (schema_access(actor, schema).read != Reach::kScope || !schema.owned) return v;
  v.all = false;
  v.owner_id = actor.user_id;
  v.team_id = actor.team_id;
  v.include_unowned = true;
  return v;
}

Visibility visibility_as_listed(const Actor& actor, const EntitySchema& schema) {
  if (can_list(actor, schema)) return visibility(actor, schema);
  return Visibility{false, std::nullopt, std::nullopt, false};  // matches no record
}

}  // namespace relais::domain
