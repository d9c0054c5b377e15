#include "domain/records/validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/time_zones.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

Error value_error(std::string message) { return Error::validation(std::move(message)); }

Result<std::int64_t> as_int64(const Json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return value_error("number is too large");
    }
    return v.get<std::int64_t>();
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // JavaScript clients send 5.0 for 5: accept integral floats in the exact range.
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9007199254740992.0) {
      return static_cast<std::int64_t>(d);
    }
    return value_error("must be a whole number");
  }
  return value_error("must be an integer");
}

Result<std::string> as_text(const Json& v, const FieldDef& field) {
  if (!v.is_string()) return value_error("must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (!is_valid_utf8(s)) return value_error("must be valid UTF-8");
  std::string out(trim(s));
  if (out.size() > field.max_length) {
    return value_error("must be at most " + std::to_string(field.max_length) + " bytes");
  }
  const bool multiline = field.text_format == TextFormat::kMultiline;
  if (auto bad = find_control_character(out, multiline)) {
    return value_error(std::string("must not contain control characters") +
                       (multiline ? " other than tab and line breaks" : " or line breaks") +
                       " (byte " + std::to_string(*bad) + ")");
  }
  if (field.text_format == TextFormat::kTimeZone && !out.empty() &&
      !common::is_iana_time_zone(out)) {
    return value_error("must be an IANA time zone name such as Europe/Paris");
  }
  return out;
}

Error too_many_items(std::size_t max_items) {
  return value_error("must have at most " + std::to_string(max_items) + " items");
}

bool is_empty_value(const Json& v) {
  return v.is_null() || (v.is_string() && trim(v.get_ref<const std::string&>()).empty()) ||
         (v.is_array() && v.empty());
}

}  // namespace

Result<Json> validate_value(const FieldDef& field, const Json& value) {
  if (value.is_null()) return Json(nullptr);
  // HTML forms and CSV send "" for "no value": clear non-text scalars.
  const bool blank = value.is_string() && trim(value.get_ref<const std::string&>()).empty();
  switch (field.type) {
    case FieldType::kText: {
      RELAIS_ASSIGN_OR_RETURN(std::string s, as_text(value, field));
      return Json(std::move(s));
    }
    case FieldType::kInteger:
    case FieldType::kMoney: {
      if (blank) return Json(nullptr);
      auto n = as_int64(value);
      if (!n.ok() && field.type == FieldType::kMoney) {
        return value_error("must be an integer amount in minor units (cents)");
      }
      if (!n.ok()) return n.error();
      return Json(n.value());
    }
    case FieldType::kCurrency: {
      if (blank) return Json(nullptr);
      if (!value.is_string()) return value_error("must be a 3-letter ISO 4217 code");
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() != 3 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return value_error("must be a 3-letter upper-case ISO 4217 code such as EUR");
      }
      return value;
    }
    case FieldType::kDate: {
      if (blank) return Json(nullptr);
      if (!value.is_string() || !is_valid_date(value.get_ref<const std::string&>())) {
        return value_error("must be a date YYYY-MM-DD");
      }
      return value;
    }
    case FieldType::kDateTime: {
      if (blank) return Json(nullptr);
      if (!value.is_string()) return value_error("must be an ISO 8601 date-time");
      auto normalised = normalize_datetime(value.get_ref<const std::string&>());
      if (!normalised) {
        return value_error(
            "must be an ISO 8601 date-time with a time zone, e.g. "
            "2026-11-25T14:30:00Z");
      }
      return Json(*normalised);
    }
    case FieldType::kBoolean:
      if (!value.is_boolean()) return value_error("must be true or false");
      return value;
    case FieldType::kEnum: {
      if (blank) return Json(nullptr);
      if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        if (std::find(field.enum_values.begin(), field.enum_values.end(), s) !=
            field.enum_values.end()) {
          return value;
        }
      }
      std::string allowed;
      for (const auto& e : field.enum_values) allowed += (allowed.empty() ? "" : ", ") + e;
      return value_error("must be one of: " + allowed);
    }
    case FieldType::kTextList: {
      if (!value.is_array()) return value_error("must be a list of strings");
      if (value.size() > field.max_items) return too_many_items(field.max_items);
      Json out = Json::array();
      for (const auto& item : value) {
        auto s = as_text(item, field);
        if (!s.ok()) return value_error("must be a list of strings (" + s.error().message + ")");
        if (!s->empty()) out.push_back(std::move(*s));
      }
      return out;
    }
    case FieldType::kReference: {
      if (blank) return Json(nullptr);
      auto n = as_int64(value);
      if (!n.ok() || *n <= 0) return value_error("must be the id of a " + field.references);
      return Json(*n);
    }
    case FieldType::kReferenceList: {
      if (!value.is_array()) return value_error("must be a list of " + field.references + " ids");
      if (value.size() > field.max_items) return too_many_items(field.max_items);
      Json out = Json::array();
      std::set<std::int64_t> seen;
      for (const auto& item : value) {
        auto n = as_int64(item);
        if (!n.ok() || *n <= 0)
          return value_error("must be a list of " + field.references + " ids");
        if (seen.insert(*n).second) out.push_back(*n);
      }
      return out;
    }
    case FieldType::kObject:
      if (!value.is_object()) return value_error("must be an object");
      return value;
    case FieldType::kList:
      if (!value.is_array() ||
          !std::all_of(value.begin(), value.end(), [](const Json& j) { return j.is_object(); })) {
        return value_error("must be a list of objects");
      }
      if (value.size() > field.max_items) return too_many_items(field.max_items);
      return value;
  }
  return value_error("unsupported field type");
}

Result<Json> validate_record(const EntitySchema& schema, const Json& body, ValidationMode mode) {
  if (!body.is_object()) return Error::bad_request("the request body must be a JSON object");
  std::map<std::string, std::string> errors;
  Json out = Json::object();
  for (const auto& [name, value] : body.items()) {
    const FieldDef* field = schema.field(name);
    if (field == nullptr) {
      errors[name] = "unknown field";
      continue;
    }
    if (field->read_only) {
      errors[name] = "read-only field";
      continue;
    }
    auto checked = validate_value(*field, value);
    if (!checked.ok()) {
      errors[name] = checked.error().message;
      continue;
    }
    if (field->required && is_empty_value(*checked)) {
      errors[name] = "is required";
      continue;
    }
    out[name] = std::move(*checked);
  }
  if (mode == ValidationMode::kCreate) {
    for (const auto& field : schema.fields) {
      if (out.contains(field.name) || errors.count(field.name) != 0) continue;
      if (field.required) {
        errors[field.name] = "is required";
      } else if (!field.default_value.is_null()) {
        out[field.name] = field.default_value;
      }
    }
  }
  if (!errors.empty()) return Error::validation(summarize_field_errors(errors), errors);
  return out;
}

std::string summarize_field_errors(const std::map<std::string, std::string>& fields) {
  std::string message = "invalid fields: ";
  bool first = true;
  for (const auto& [name, why] : fields) {
    if (!first) message += ", ";
    message += name;
    message += " (";
    message += why;
    message += ")";
    first = false;
  }
  return message;
}

}  // namespace relais::domain
