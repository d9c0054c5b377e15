// Administration of the job queue (list, inspect, retry a dead job), for admins only.
// Thread-safe: holds only the Store.
#pragma once

#include <cstdint>

#include "domain/actor.hpp"
#include "domain/jobs/job_queue.hpp"
#include "domain/store.hpp"

namespace relais::domain {

class JobService {
 public:
  explicit JobService(Store& store) : store_(store) {}

  Result<JobPage> list(const Actor& actor, const JobListQuery& query);
  Result<Job> get(const Actor& actor, std::int64_t id);
  // A failed or dead job runs again as soon as a worker is free, its attempts reset.
  Result<Job> retry(const Actor& actor, std::int64_t id);

 private:
  Store& store_;
};

}  // namespace relais::domain
