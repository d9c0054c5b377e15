// Which job kinds and outbox consumers this binary runs: one place for `serve` and `worker`,
// so every process sharing a database handles the same kinds.
#pragma once

#include <cstdint>

#include "domain/services.hpp"
#include "jobs/job_registry.hpp"

namespace relais::app {

struct JobWiringOptions {
  // The crash and exactly-once tests' job (hidden flag --self-test-jobs): every contact
  // created gets one note written by a job, so a test can count effects per contact; and a
  // company named "selftest progress [steps] [ms]" starts a long job reporting progress
  // (selftest.progress), for the progress stream's tests.
  bool self_test = false;
  std::int64_t self_test_lease_ms = 2'000;
};

// Registers every kind into `registry`; `services` must outlive the runner using it.
void register_jobs(jobs::JobRegistry& registry, domain::Services& services,
                   const JobWiringOptions& options);

}  // namespace relais::app
