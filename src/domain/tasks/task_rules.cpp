// Tasks: completed_at follows the status (set when done, cleared when reopened); a task
// completed emits task.completed for notifications.
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

class TaskRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    const bool done = candidate.value("status", Json()) == "done";
    const bool was_done = before && before->value("status", Json()) == "done";
    if (done && !was_done) candidate["completed_at"] = tx.effective_time();
    if (!done) candidate["completed_at"] = nullptr;
    return {};
  }
  Result<void> after_write(Transaction& tx, const Actor& actor, const Json* before,
                           const Json& after) override {
    const bool done = after.value("status", Json()) == "done";
    const bool was_done = before && before->value("status", Json()) == "done";
    if (done && !was_done) {
      tx.record_event(DomainEvent{"task.completed",
                                  "task",
                                  after.value("id", std::int64_t{0}),
                                  actor.user_id,
                                  {{"title", after.value("title", Json())}}});
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_task_rules() { return std::make_unique<TaskRules>(); }

}  // namespace relais::domain
