#include "domain/auth/permissions.hpp"

#include <optional>

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
  switch (schema.access) {
    case AccessPolicy::kAdminOnly:
      return {};
    case AccessPolicy::kDirectory:
      return kReadAll;  // the directory; admin (who writes) returned above
    case AccessPolicy::kConfiguration:
      return actor.role == Role::kManager ? kAll : kReadAll;
    case AccessPolicy::kCrm:
    case AccessPolicy::kDeal:
    case AccessPolicy::kEngagement:
      break;
  }
  const bool deal = schema.access == AccessPolicy::kDeal;
  const bool engagement = schema.access == AccessPolicy::kEngagement;
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
  if (!schema.owned) {
    switch (schema.self_scope) {
      case SelfScope::kActorUser:
        return id_field(record, "id") == actor.user_id;
      case SelfScope::kActorTeam:
        return actor.team_id && id_field(record, "id") == actor.team_id;
      case SelfScope::kNone:
        return true;
    }
    return true;
  }
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
