#include "storage/common/filter_values.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "storage/common/keyset.hpp"

namespace relais::storage {
namespace {

// An integer, or a float with an integral value in the range doubles hold exactly.
std::optional<std::int64_t> as_integer(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

}  // namespace

using domain::FieldType;

bool is_text_field(FieldType type) {
  return type == FieldType::kText || type == FieldType::kEnum || type == FieldType::kCurrency ||
         type == FieldType::kDate || type == FieldType::kDateTime;
}

bool never_null(const domain::FieldDef& field) {
  return field.name == "id" || field.name == "version" || field.name == "created_at" ||
         field.name == "updated_at";
}

Result<Json> typed_value(const domain::FieldDef& field, const Json& value) {
  if (value.is_null()) return Json(nullptr);
  switch (field.type) {
    case FieldType::kInteger:
    case FieldType::kMoney:
    case FieldType::kReference:
      if (auto n = as_integer(value)) return Json(*n);
      return Error::bad_request(fmt::format("'{}' expects an integer", field.name));
    case FieldType::kBoolean:
      if (value.is_boolean()) return value;
      if (value.is_number_integer() && (value == 0 || value == 1)) return Json(value == 1);
      return Error::bad_request(fmt::format("'{}' expects true or false", field.name));
    default:
      break;
  }
  if (is_json_field(field.type)) {
    return Error::bad_request(fmt::format("'{}' can only be tested with is empty", field.name));
  }
  if (value.is_string()) return value;
  if (auto n = as_integer(value); n && !value.is_number_float()) return Json(std::to_string(*n));
  return Error::bad_request(fmt::format("'{}' expects a text value", field.name));
}

Result<Json> typed_element(const domain::FieldDef& field, const Json& value) {
  if (field.type == FieldType::kTextList) {
    if (!value.is_string()) return Error::bad_request(field.name + " holds text values");
    return value;
  }
  if (value.is_null()) return Json(nullptr);  // matches no element, as in SQL
  if (auto n = as_integer(value)) return Json(*n);
  return Error::bad_request(fmt::format("{} holds record ids", field.name));
}

}  // namespace relais::storage
