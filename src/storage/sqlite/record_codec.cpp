#include "storage/sqlite/record_codec.hpp"

#include <cmath>

namespace relais::storage::sqlite {

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
      if (value.is_boolean()) return SqlValue(std::int64_t{value.get<bool>() ? 1 : 0});
      if (value.is_number_integer() && (value == 0 || value == 1)) {
        return SqlValue(value.get<std::int64_t>());
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

Json decode_record(const domain::EntitySchema& schema, const Statement& row, int first_column) {
  Json record = Json::object();
  int column = first_column;
  for (const auto& f : schema.fields) {
    Json& slot = record[f.name];
    if (row.is_null(column)) {
      slot = nullptr;
    } else if (f.type == FieldType::kBoolean) {
      slot = row.column_int64(column) != 0;
    } else if (is_json_field(f.type)) {
      slot = Json::parse(row.column_text(column), nullptr, /*allow_exceptions=*/false);
      if (slot.is_discarded()) slot = nullptr;
    } else if (f.type == FieldType::kInteger || f.type == FieldType::kMoney ||
               f.type == FieldType::kReference) {
      slot = row.column_value(column);
    } else {
      slot = row.column_text(column);
    }
    ++column;
  }
  return record;
}

}  // namespace relais::storage::sqlite
