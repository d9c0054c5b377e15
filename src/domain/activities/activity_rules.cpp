// Activities: happened now unless said otherwise; always about a contact, company or deal.
#include "domain/records/linked_record.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

class ActivityRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    if (!before && candidate.value("occurred_at", Json()).is_null()) {
      candidate["occurred_at"] = tx.effective_time();
    }
    if (!links_a_record(candidate)) return needs_link("an activity");
    if (candidate.value("duration_minutes", Json(0)).is_number_integer() &&
        candidate.value("duration_minutes", std::int64_t{0}) < 0) {
      return Error::field("duration_minutes", "must not be negative");
    }
    return {};
  }
  Result<void> after_write(Transaction&, const Actor&, const Json*, const Json&) override {
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_activity_rules() { return std::make_unique<ActivityRules>(); }

}  // namespace relais::domain
