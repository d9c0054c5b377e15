// Teams: a name (schema); a team that still has members cannot be deleted.
#include "domain/query/filter_build.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

class TeamRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction&, const Actor&, const Json*, Json& candidate) override {
    const Json name = candidate.value("name", Json());
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      return Error::field("name", "is required");
    }
    return {};
  }
  Result<void> after_write(Transaction&, const Actor&, const Json*, const Json&) override {
    return {};
  }
  Result<void> before_delete(Transaction& tx, const Actor&, const Json& record) override {
    ListQuery query;
    query.filter = filter_eq("team_id", record.value("id", std::int64_t{0}));
    RELAIS_ASSIGN_OR_RETURN(std::int64_t members, tx.count(user_schema(), query));
    if (members > 0) {
      return Error::conflict("this team still has " + std::to_string(members) + " member(s)",
                             {{"member_count", members}});
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_team_rules() { return std::make_unique<TeamRules>(); }

}  // namespace relais::domain
