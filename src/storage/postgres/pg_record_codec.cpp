#include "storage/postgres/pg_record_codec.hpp"

#include <cmath>

namespace relais::storage::postgres {

using domain::FieldType;

Result<SqlValue> encode_field(const domain::FieldDef& field, const Json& value) {
  if (value.is_null()) return SqlValue(nullptr);
  switch (field.type) {
    case FieldType::kInteger:
    case FieldType::kMoney:
    case FieldType::kReference:
      if (value.is_number_integer()) return SqlValue(value.get<std::int64_t>());
      if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
          return SqlValue(static_cast<std::int64_t>(d));
        }
      }
      return Error::field(field.name, "must be an integer");
    case FieldType::kBoolean:
      if (value.is_boolean()) return SqlValue(std::string(value.get<bool>() ? "true" : "false"));
      if (value.is_number_integer() && (value == 0 || value == 1)) {
        return SqlValue(std::string(value == 1 ? "true" : "false"));
      }
      return Error::field(field.name, "must be true or false");
    case FieldType::kTextList:
    case FieldType::kReferenceList:
    case FieldType::kList:
      if (!value.is_array()) return Error::field(field.name, "must be an array");
      return SqlValue(value.dump());
    case FieldType::kObject:
      if (!value.is_object()) return Error::field(field.name, "must be an object");
      return SqlValue(value.dump());
    default:
      if (!value.is_string()) return Error::field(field.name, "must be a string");
      return SqlValue(value.get<std::string>());
  }
}

Json decode_field(const domain::FieldDef& f, const PgResult& result, int row, int column) {
  if (result.is_null(row, column)) return nullptr;
  switch (f.type) {
    case FieldType::kBoolean:
      return result.boolean(row, column);
    case FieldType::kInteger:
    case FieldType::kMoney:
    case FieldType::kReference:
      return result.int64(row, column);
    default:
      break;
  }
  if (is_json_field(f.type)) {
    Json parsed = Json::parse(result.text(row, column), nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? Json(nullptr) : parsed;
  }
  return std::string(result.text(row, column));
}

Json decode_record(const domain::EntitySchema& schema, const PgResult& result, int row,
                   int first_column) {
  Json record = Json::object();
  int column = first_column;
  for (const auto& f : schema.fields) record[f.name] = decode_field(f, result, row, column++);
  return record;
}

}  // namespace relais::storage::postgres
