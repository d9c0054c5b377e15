// Administration of the job queue (list, inspect, retry a dead job), for admins only.
// Thread-safe: holds the Store and the process's one job change feed (started by the first
// watcher, stopped with the service).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "domain/actor.hpp"
#include "domain/jobs/job_change_feed.hpp"
#include "domain/jobs/job_queue.hpp"
#include "domain/store.hpp"

namespace relais::domain {

class JobService {
 public:
  explicit JobService(Store& store) : store_(store), feed_(store) {}

  Result<JobPage> list(const Actor& actor, const JobListQuery& query);
  Result<Job> get(const Actor& actor, std::int64_t id);
  // A failed or dead job runs again as soon as a worker is free, its attempts reset.
  Result<Job> retry(const Actor& actor, std::int64_t id);
  // Ok when `actor` may use this service (admins), else kForbidden.
  Result<void> check_access(const Actor& actor) const;
  // Follows every job change from now on (or after `after`): the listener is called on the
  // feed's thread (job_change_feed.hpp). Admins only. Never blocks on the database.
  Result<void> watch(const Actor& actor, std::shared_ptr<JobChangeListener> listener,
                     std::optional<JobChangePosition> after);

 private:
  Store& store_;
  JobChangeFeed feed_;
};

}  // namespace relais::domain
