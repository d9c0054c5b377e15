// Test support: a record of any schema that the store accepts (its required fields filled).
#pragma once

#include <gtest/gtest.h>

#include "domain/schema/entity_schema.hpp"
#include "domain/store.hpp"

namespace relais::storage::testing {

// The required fields of `schema` with valid values; a required reference points at a new
// record of its own (a deal's pipeline).
inline Json required_values(domain::Store& store, const domain::EntitySchema& schema) {
  Json values = Json::object();
  for (const auto& f : schema.fields) {
    if (!f.required || f.read_only) continue;
    switch (f.type) {
      case domain::FieldType::kList:
        values[f.name] = Json::array({{{"id", "new"}, {"name", "New"}, {"kind", "open"}}});
        break;
      case domain::FieldType::kEnum:
        values[f.name] = f.enum_values.front();
        break;
      case domain::FieldType::kReference: {
        const domain::EntitySchema* target = domain::find_schema(f.references);
        if (target == nullptr) break;
        const Json parent = required_values(store, *target);
        auto stored =
            store.write([&](domain::Transaction& tx) { return tx.insert(*target, parent); });
        EXPECT_TRUE(stored.ok()) << stored.error().message;
        if (stored.ok()) values[f.name] = stored.value()["id"];
        break;
      }
      case domain::FieldType::kTextList:
      case domain::FieldType::kReferenceList:
        values[f.name] = Json::array();
        break;
      case domain::FieldType::kInteger:
      case domain::FieldType::kMoney:
        values[f.name] = 1;
        break;
      default:
        values[f.name] = "x";
    }
  }
  return values;
}

}  // namespace relais::storage::testing
