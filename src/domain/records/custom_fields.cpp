#include "domain/records/custom_fields.hpp"

#include <algorithm>

#include "domain/query/filter_build.hpp"
#include "domain/records/validation.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

constexpr std::size_t kMaxCustomText = 1000;

// Empty string for "no message".
std::string check_value(const Json& def, const Json& value) {
  const std::string type = def.value("type", "text");
  if (type == "text") {
    if (!value.is_string() || !is_valid_utf8(value.get_ref<const std::string&>())) {
      return "must be a string";
    }
    if (value.get_ref<const std::string&>().size() > kMaxCustomText) return "is too long";
    // Free text, possibly several lines: the rule of the multi-line built-in fields.
    if (find_control_character(value.get_ref<const std::string&>(), /*multiline=*/true)) {
      return "must not contain control characters other than tab and line breaks";
    }
  } else if (type == "number") {
    if (!value.is_number()) return "must be a number";
  } else if (type == "money") {
    if (!value.is_number_integer()) return "must be an integer amount in minor units";
  } else if (type == "date") {
    if (!value.is_string() || !is_valid_date(value.get_ref<const std::string&>())) {
      return "must be a date YYYY-MM-DD";
    }
  } else if (type == "boolean") {
    if (!value.is_boolean()) return "must be true or false";
  } else if (type == "enum") {
    const Json options = def.value("options", Json::array());
    if (!value.is_string() || std::find(options.begin(), options.end(), value) == options.end()) {
      std::string allowed;
      for (const auto& o : options) {
        if (o.is_string()) allowed += (allowed.empty() ? "" : ", ") + o.get<std::string>();
      }
      return "must be one of: " + allowed;
    }
  }
  return {};
}

// The definitions of `entity`, read once per unit of work (see UnitCache).
Result<const Json*> definitions_of(Transaction& tx, const std::string& entity) {
  const std::string key = custom_field_cache_key(entity);
  if (const Json* cached = tx.cache().find(key)) return cached;
  ListQuery query;
  query.filter = filter_eq("entity", entity);
  query.limit = 500;
  RELAIS_ASSIGN_OR_RETURN(Page defs, tx.list(custom_field_schema(), query));
  return &tx.cache().put(key, Json(std::move(defs.items)));
}

}  // namespace

std::string custom_field_cache_key(const std::string& entity) { return "custom_fields:" + entity; }

Result<void> validate_custom_fields(Transaction& tx, const std::string& entity, const Json* before,
                                    Json& candidate) {
  Json custom = candidate.value("custom", Json::object());
  if (custom.is_null()) custom = Json::object();
  if (before &&
      before->value("custom", Json::object()) == candidate.value("custom", Json::object())) {
    return {};
  }
  RELAIS_ASSIGN_OR_RETURN(const Json* defs, definitions_of(tx, entity));

  std::map<std::string, std::string> errors;
  Json cleaned = Json::object();
  for (const auto& [key, value] : custom.items()) {
    auto def = std::find_if(defs->begin(), defs->end(), [&wanted = key](const Json& d) {
      return d.value("key", "") == wanted;
    });
    if (def == defs->end()) {
      errors["custom." + key] = "unknown custom field";
      continue;
    }
    if (value.is_null()) continue;
    std::string why = check_value(*def, value);
    if (!why.empty()) {
      errors["custom." + key] = why;
      continue;
    }
    cleaned[key] = value;
  }
  for (const auto& def : *defs) {
    const std::string key = def.value("key", "");
    if (!def.value("required", false) || errors.count("custom." + key)) continue;
    const auto it = cleaned.find(key);
    if (it == cleaned.end() ||
        (it->is_string() && trim(it->get_ref<const std::string&>()).empty())) {
      errors["custom." + key] = "is required";
    }
  }
  if (!errors.empty()) return Error::validation(summarize_field_errors(errors), errors);
  candidate["custom"] = std::move(cleaned);
  return {};
}

}  // namespace relais::domain
