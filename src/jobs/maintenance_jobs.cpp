#include "jobs/maintenance_jobs.hpp"

#include <algorithm>

#include "domain/records/values.hpp"

namespace relais::jobs {
namespace {

// A chunk that deleted a full chunk's worth may have left more: go on in another unit, so one
// large backlog never holds the writer for long. The count so far is the progress.
JobStep chunk_step(const domain::Job& job, int deleted, int chunk) {
  const std::int64_t so_far =
      (job.state.is_object() ? job.state.value("deleted", std::int64_t{0}) : 0) + deleted;
  JobStep step;
  if (deleted >= chunk) {
    step.finished = false;
    step.state = Json{{"deleted", so_far}};
    step.progress = domain::JobProgress{so_far, 0};
  } else {
    step.result = Json{{"deleted", so_far}};
  }
  return step;
}

}  // namespace

void register_maintenance_jobs(JobRegistry& registry, const RetentionOptions& options) {
  registry.add(JobKind{
      .name = "jobs.prune",
      .handler = [options](domain::Transaction& tx, const domain::Job& job) -> Result<JobStep> {
        const std::int64_t cutoff = domain::now_epoch_ms() - options.keep_done_jobs_ms;
        const int deleted = tx.jobs().prune_done_jobs(cutoff, options.rows_per_chunk);
        return chunk_step(job, deleted, options.rows_per_chunk);
      },
      .max_attempts = 3,
      .every_ms = options.every_ms,
  });

  std::vector<std::string> consumers;
  for (const auto& c : registry.consumers()) consumers.push_back(c.name);
  registry.add(JobKind{
      .name = "outbox.prune",
      .handler = [options, consumers](domain::Transaction& tx,
                                      const domain::Job& job) -> Result<JobStep> {
        auto& queue = tx.jobs();
        domain::OutboxPosition up_to = queue.outbox_head();
        for (const auto& name : consumers) {
          // A consumer that has not run yet starts at the head: it needs nothing older.
          up_to = std::min(up_to, queue.consumer_cursor(name).value_or(up_to));
        }
        const std::string before =
            domain::format_epoch_ms(domain::now_epoch_ms() - options.keep_outbox_ms);
        const int deleted = queue.prune_outbox(up_to, before, options.rows_per_chunk);
        return chunk_step(job, deleted, options.rows_per_chunk);
      },
      .max_attempts = 3,
      .every_ms = options.every_ms,
  });

  if (options.keep_events_ms > 0) {
    registry.add(JobKind{
        .name = "events.prune",
        .handler = [options](domain::Transaction& tx, const domain::Job& job) -> Result<JobStep> {
          const std::int64_t cutoff = domain::now_epoch_ms() - options.keep_events_ms;
          const auto deleted = tx.events().prune_before(cutoff, options.rows_per_chunk);
          return chunk_step(job, static_cast<int>(deleted), options.rows_per_chunk);
        },
        .max_attempts = 3,
        .every_ms = options.every_ms,
    });
  }
}

}  // namespace relais::jobs
