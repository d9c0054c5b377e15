#include "app/job_wiring.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "jobs/maintenance_jobs.hpp"

namespace relais::app {
namespace {

// The progress tests' long job: a company named "selftest progress [steps] [ms]" makes one
// job of `steps` chunks (default 10), each taking `ms` (default 200), reporting
// {done, total} after each; other companies' jobs finish at once. The chunk sleeps inside its
// write unit (on SQLite: holding the writer), which only a test server may afford.
Result<jobs::JobStep> selftest_progress_step(const domain::Job& job) {
  const Json& record = job.payload.value("payload", Json::object()).value("record", Json::object());
  const std::string name = record.value("name", std::string());
  constexpr std::string_view kPrefix = "selftest progress";
  if (name.rfind(kPrefix, 0) != 0) return jobs::JobStep{.result = Json{{"skipped", true}}};
  std::istringstream words(name.substr(kPrefix.size()));
  std::int64_t steps = 10;
  std::int64_t ms = 200;
  words >> steps >> ms;
  steps = std::clamp<std::int64_t>(steps, 1, 100);
  ms = std::clamp<std::int64_t>(ms, 0, 1000);
  const std::int64_t done = job.state.is_object() ? job.state.value("done", std::int64_t{0}) : 0;
  if (done >= steps) return jobs::JobStep{.result = Json{{"steps", steps}}};
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return jobs::JobStep{.finished = false,
                       .state = Json{{"done", done + 1}},
                       .progress = domain::JobProgress{done + 1, steps}};
}

}  // namespace

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
    registry.add(
        jobs::OutboxConsumer{"selftest-progress", {"company.created"}, "selftest.progress"});
    registry.add(jobs::JobKind{
        .name = "selftest.progress",
        .handler = [](domain::Transaction&,
                      const domain::Job& job) { return selftest_progress_step(job); },
        .lease_ms = 10'000,
    });
  }
  // Last: outbox.prune keeps the events the consumers registered above still need.
  jobs::register_maintenance_jobs(registry);
}

}  // namespace relais::app
