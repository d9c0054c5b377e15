// Deals: the stage belongs to the pipeline; probability and status follow the stage;
// closed_at / stage_changed_at maintained; every stage change is recorded for the timeline
// and funnel analytics and announced as deal.stage_changed (creation counts as entering the
// first stage, with from_stage null).
//
// Probability follows the stage on a stage change unless the same write changes it too.
// Rules see the merged record, so a PATCH that sets the probability to its current value
// while moving the stage is treated as not setting it.
#include "domain/records/custom_fields.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

Json value_or_null(const Json* record, const char* name) {
  if (record == nullptr) return nullptr;
  auto it = record->find(name);
  return it == record->end() ? Json(nullptr) : *it;
}

class DealRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    const std::int64_t pipeline_id = candidate.value("pipeline_id", std::int64_t{0});
    auto pipeline = tx.get(pipeline_schema(), pipeline_id);
    if (!pipeline.ok()) {
      if (pipeline.error().code != ErrorCode::kNotFound) return pipeline.error();
      return Error::field("pipeline_id", "no pipeline with id " + std::to_string(pipeline_id));
    }
    const Json stages = pipeline->value("stages", Json::array());
    if (!stages.is_array() || stages.empty()) {
      return Error::field("pipeline_id", "this pipeline has no stages");
    }

    Json stage_id = candidate.value("stage_id", Json());
    const bool pipeline_moved = before && value_or_null(before, "pipeline_id") != pipeline_id;
    if (stage_id.is_null() || (pipeline_moved && stage_id == value_or_null(before, "stage_id"))) {
      stage_id = stages[0].value("id", "");  // a new pipeline starts at its first stage
    }
    const Json* stage = nullptr;
    for (const auto& s : stages) {
      if (s.value("id", Json()) == stage_id) stage = &s;
    }
    if (stage == nullptr) {
      std::string known;
      for (const auto& s : stages) known += (known.empty() ? "" : ", ") + s.value("id", "");
      return Error::field("stage_id", "stage " + stage_id.dump() + " is not part of pipeline '" +
                                          pipeline->value("name", "") + "' (" + known + ")");
    }
    candidate["stage_id"] = stage_id;

    const bool stage_changed = !before || value_or_null(before, "stage_id") != stage_id;
    Json probability = candidate.value("probability", Json());
    if (probability.is_null() ||
        (stage_changed && before && probability == value_or_null(before, "probability"))) {
      probability = stage->value("probability", 0);
    }
    if (!probability.is_number_integer() || probability.get<std::int64_t>() < 0 ||
        probability.get<std::int64_t>() > 100) {
      return Error::field("probability", "must be an integer from 0 to 100");
    }
    candidate["probability"] = probability;

    if (candidate.value("amount", Json(0)).is_number_integer() &&
        candidate.value("amount", std::int64_t{0}) < 0) {
      return Error::field("amount", "must not be negative");
    }
    if (candidate.value("currency", Json()).is_null()) candidate["currency"] = "EUR";

    const std::string status = stage->value("kind", "open");
    const std::string now = tx.effective_time();
    if (!before || value_or_null(before, "status") != status) {
      candidate["closed_at"] = status == "open" ? Json(nullptr) : Json(now);
    }
    candidate["status"] = status;
    if (stage_changed) candidate["stage_changed_at"] = now;
    return validate_custom_fields(tx, "deal", before, candidate);
  }

  Result<void> after_write(Transaction& tx, const Actor& actor, const Json* before,
                           const Json& after) override {
    const Json from = value_or_null(before, "stage_id");
    const Json to = after.value("stage_id", Json());
    if (before && from == to) return {};
    const std::int64_t id = after.value("id", std::int64_t{0});
    tx.record_stage_change(id, from.is_string() ? from.get<std::string>() : std::string(),
                           to.is_string() ? to.get<std::string>() : std::string(), actor.user_id);
    Json payload = {{"from_stage", from},
                    {"to_stage", to},
                    {"pipeline_id", after.value("pipeline_id", Json())},
                    {"status", after.value("status", Json())},
                    {"amount", after.value("amount", Json())},
                    {"currency", after.value("currency", Json())}};
    tx.record_event(DomainEvent{"deal.stage_changed", "deal", id, actor.user_id, payload});
    const Json status = after.value("status", Json());
    if (status != value_or_null(before, "status") && (status == "won" || status == "lost")) {
      tx.record_event(
          DomainEvent{"deal." + status.get<std::string>(), "deal", id, actor.user_id, payload});
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_deal_rules() { return std::make_unique<DealRules>(); }

}  // namespace relais::domain
