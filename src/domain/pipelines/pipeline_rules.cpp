// Pipelines: stage list checked and completed; a stage (or the whole pipeline) still used by
// deals cannot be removed.
#include <set>
#include <string>
#include <utility>

#include "domain/pipelines/pipeline_stages.hpp"
#include "domain/query/filter_build.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

class PipelineRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    RELAIS_ASSIGN_OR_RETURN(candidate["stages"],
                            normalize_stages(candidate.value("stages", Json())));
    if (before == nullptr) return {};
    std::set<std::string> kept;
    for (const auto& s : candidate["stages"]) kept.insert(s["id"].get<std::string>());
    Json removed = Json::array();
    for (const auto& s : before->value("stages", Json::array())) {
      if (!s.is_object()) continue;
      std::string id = s.value("id", "");
      if (!id.empty() && kept.count(id) == 0) removed.push_back(std::move(id));
    }
    if (removed.empty()) return {};
    ListQuery query;
    query.filter = filter_and(filter_eq("pipeline_id", before->value("id", std::int64_t{0})),
                              filter_in("stage_id", removed));
    RELAIS_ASSIGN_OR_RETURN(std::int64_t in_use, tx.count(deal_schema(), query));
    if (in_use > 0) {
      return Error::conflict(
          std::to_string(in_use) + " deal(s) are still in the stages you removed; move them first",
          {{"field", "stages"}, {"deal_count", in_use}});
    }
    return {};
  }

  Result<void> after_write(Transaction&, const Actor&, const Json*, const Json&) override {
    return {};
  }

  Result<void> before_delete(Transaction& tx, const Actor&, const Json& record) override {
    ListQuery query;
    query.filter = filter_eq("pipeline_id", record.value("id", std::int64_t{0}));
    RELAIS_ASSIGN_OR_RETURN(std::int64_t in_use, tx.count(deal_schema(), query));
    if (in_use > 0) {
      return Error::conflict("this pipeline still has " + std::to_string(in_use) + " deal(s)",
                             {{"deal_count", in_use}});
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_pipeline_rules() { return std::make_unique<PipelineRules>(); }

}  // namespace relais::domain
