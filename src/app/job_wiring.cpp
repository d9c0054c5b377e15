#include "app/job_wiring.hpp"

#include <string>

#include "jobs/maintenance_jobs.hpp"

namespace relais::app {

void register_jobs(jobs::JobRegistry& registry, domain::Services& services,
                   const JobWiringOptions& options) {
  if (options.self_test) {
    registry.add(jobs::OutboxConsumer{"selftest", {"contact.created"}, "selftest.contact_note"});
    registry.add(jobs::JobKind{
        .name = "selftest.contact_note",
        .handler = [&services](domain::Transaction& tx,
                               const domain::Job& job) -> Result<jobs::JobStep> {
          const std::int64_t contact = job.payload.value("record_id", std::int64_t{0});
          if (contact <= 0) return Error::bad_request("the event names no contact");
          Json note{{"body", "selftest job " + std::to_string(job.id)}, {"contact_id", contact}};
          Result<Json> created = services.notes.create_in(tx, domain::Actor::system(), note);
          if (!created.ok()) {
            // The contact is gone (deleted or merged away): no retry can ever succeed.
            const ErrorCode code = created.error().code;
            if (code == ErrorCode::kValidationFailed || code == ErrorCode::kNotFound) {
              return Error::bad_request(created.error().message);
            }
            return created.error();
          }
          return jobs::JobStep{.result = Json{{"note_id", created.value()["id"]}}};
        },
        .lease_ms = options.self_test_lease_ms,
    });
  }
  // Last: outbox.prune keeps the events the consumers registered above still need.
  jobs::register_maintenance_jobs(registry);
}

}  // namespace relais::app
