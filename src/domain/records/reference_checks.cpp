#include "domain/records/reference_checks.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "domain/auth/permissions.hpp"
#include "domain/records/validation.hpp"

namespace relais::domain {
namespace {

Json field_or_null(const Json& record, const std::string& name) {
  auto it = record.find(name);
  return it == record.end() ? Json(nullptr) : *it;
}

// The ids `value` holds that `previous` did not (a reference is one id, a list several).
std::vector<std::int64_t> added_ids(const Json& value, const Json& previous) {
  std::vector<std::int64_t> out;
  const Json now = value.is_array() ? value : Json::array({value});
  const Json was = previous.is_array() ? previous : Json::array({previous});
  for (const auto& id : now) {
    if (!id.is_number_integer()) continue;
    if (std::find(was.begin(), was.end(), id) != was.end()) continue;
    out.push_back(id.get<std::int64_t>());
  }
  return out;
}

}  // namespace

Result<std::optional<Json>> find_readable(Transaction& tx, const Actor& actor,
                                          const EntitySchema& schema, std::int64_t id) {
  auto found = tx.get(schema, id);
  if (!found.ok()) {
    if (found.error().code == ErrorCode::kNotFound) return std::optional<Json>{};
    return std::move(found).error();
  }
  if (!can_read(actor, schema, *found)) return std::optional<Json>{};
  return std::optional<Json>{std::move(found).value()};
}

Result<void> check_references(Transaction& tx, const Actor& actor, const EntitySchema& schema,
                              const Json* before, const Json& candidate) {
  std::map<std::string, std::string> errors;
  for (const auto& field : schema.fields) {
    if (field.type != FieldType::kReference && field.type != FieldType::kReferenceList) continue;
    const Json value = field_or_null(candidate, field.name);
    if (value.is_null()) continue;
    const EntitySchema* target = find_schema(field.references);
    if (target == nullptr) continue;
    const Json previous = before ? field_or_null(*before, field.name) : Json(nullptr);
    for (const std::int64_t id : added_ids(value, previous)) {
      RELAIS_ASSIGN_OR_RETURN(std::optional<Json> found, find_readable(tx, actor, *target, id));
      if (found) continue;
      errors[field.name] = "no " + target->name + " with id " + std::to_string(id);
      break;
    }
  }
  if (!errors.empty()) return Error::validation(summarize_field_errors(errors), errors);
  return {};
}

}  // namespace relais::domain
