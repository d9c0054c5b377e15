// The job kinds every installation runs: retention of the job table, the outbox and the
// event log.
#pragma once

#include "jobs/job_registry.hpp"

namespace relais::jobs {

struct RetentionOptions {
  std::int64_t keep_done_jobs_ms = 7LL * 24 * 3600 * 1000;  // dead jobs are kept
  std::int64_t keep_outbox_ms = 30LL * 24 * 3600 * 1000;    // once every consumer took them
  // Behavioural events (domain/events/event_log.hpp) older than this are deleted: 13 months,
  // what the CNIL allows for audience-measurement data. 0: kept for ever.
  std::int64_t keep_events_ms = 395LL * 24 * 3600 * 1000;
  std::int64_t every_ms = 3600LL * 1000;
  int rows_per_chunk = 5'000;  // one transaction: keeps the writer free for the users
};

// Registers "jobs.prune", "outbox.prune" and "events.prune" (recurring). outbox.prune keeps every
// event a consumer registered in `registry` has not taken yet, so register consumers first.
void register_maintenance_jobs(JobRegistry& registry, const RetentionOptions& options = {});

}  // namespace relais::jobs
