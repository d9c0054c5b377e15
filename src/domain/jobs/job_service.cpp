#include "domain/jobs/job_service.hpp"

#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

Result<void> require_admin(const Actor& actor) {
  if (actor.role != Role::kAdmin) return Error::forbidden("only administrators can see jobs");
  return {};
}

}  // namespace

Result<JobPage> JobService::list(const Actor& actor, const JobListQuery& query) {
  RELAIS_TRY(require_admin(actor));
  JobPage page;
  RELAIS_TRY(store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(page, tx.jobs().list(query));
    return Json();
  }));
  return page;
}

Result<Job> JobService::get(const Actor& actor, std::int64_t id) {
  RELAIS_TRY(require_admin(actor));
  Job job;
  RELAIS_TRY(store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(job, tx.jobs().get(id));
    return Json();
  }));
  return job;
}

Result<Job> JobService::retry(const Actor& actor, std::int64_t id) {
  RELAIS_TRY(require_admin(actor));
  Job job;
  RELAIS_TRY(store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(job, tx.jobs().retry(id, now_epoch_ms()));
    tx.publish(Topic::kJobsDue, {});  // due now: idle workers claim it at once
    tx.record_audit(
        AuditEntry{actor.user_id, "job", id, "retry", nullptr, Json{{"kind", job.kind}}});
    return Json();
  }));
  return job;
}

Result<void> JobService::check_access(const Actor& actor) const { return require_admin(actor); }

Result<void> JobService::watch(const Actor& actor, std::shared_ptr<JobChangeListener> listener,
                               std::optional<JobChangePosition> after) {
  RELAIS_TRY(require_admin(actor));
  feed_.subscribe(std::move(listener), after);
  return {};
}

}  // namespace relais::domain
