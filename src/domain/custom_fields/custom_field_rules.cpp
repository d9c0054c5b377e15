// Custom field definitions: key is an identifier unique per record type and fixed once
// created (values are stored under it); enum fields need options.
#include "domain/query/filter_build.hpp"
#include "domain/records/custom_fields.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

bool is_key(const std::string& key) {
  if (key.empty() || key.size() > 63 || key[0] < 'a' || key[0] > 'z') return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

class CustomFieldRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    const std::string key = candidate.value("key", "");
    const std::string entity = candidate.value("entity", "");
    if (before) {
      if (before->value("key", "") != key) return Error::field("key", "cannot be changed");
      if (before->value("entity", "") != entity) return Error::field("entity", "cannot be changed");
    } else {
      if (!is_key(key)) return Error::field("key", "must match [a-z][a-z0-9_]*");
      ListQuery query;
      query.filter = filter_and(filter_eq("entity", entity), filter_eq("key", key));
      RELAIS_ASSIGN_OR_RETURN(std::int64_t same, tx.count(custom_field_schema(), query));
      if (same > 0) {
        return Error::conflict("a custom field '" + key + "' already exists for " + entity,
                               {{"field", "key"}});
      }
    }
    if (candidate.value("type", "") == "enum" &&
        candidate.value("options", Json::array()).empty()) {
      return Error::field("options", "an enum field needs at least one option");
    }
    return {};
  }
  Result<void> after_write(Transaction& tx, const Actor&, const Json*, const Json& after) override {
    tx.cache().erase(custom_field_cache_key(after.value("entity", "")));
    return {};
  }
  Result<void> before_delete(Transaction& tx, const Actor&, const Json& record) override {
    tx.cache().erase(custom_field_cache_key(record.value("entity", "")));
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_custom_field_rules() {
  return std::make_unique<CustomFieldRules>();
}

}  // namespace relais::domain
