// The job kinds every installation runs: retention of the job table and of the outbox.
#pragma once

#include "jobs/job_registry.hpp"

namespace relais::jobs {

struct RetentionOptions {
  std::int64_t keep_done_jobs_ms = 7LL * 24 * 3600 * 1000;  // dead jobs are kept
  std::int64_t keep_outbox_ms = 30LL * 24 * 3600 * 1000;    // once every consumer took them
  std::int64_t every_ms = 3600LL * 1000;
  int rows_per_chunk = 5'000;  // one transaction: keeps the writer free for the users
};

// Registers "jobs.prune" and "outbox.prune" (recurring). outbox.prune keeps every event a
// consumer registered in `registry` has not taken yet, so register consumers first.
void register_maintenance_jobs(JobRegistry& registry, const RetentionOptions& options = {});

}  // namespace relais::jobs
