// What the job runner knows how to do: one handler per job kind, registered at start-up by
// the parts that enqueue that kind (maintenance today; scoring, automation, webhooks, mail
// later). Built before the runner starts and read-only afterwards, so safe to share.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/store.hpp"

namespace relais::jobs {

// What one call of a handler achieved.
struct JobStep {
  bool finished = true;
  Json result;  // finished: kept on the job (shown to admins)
  // Not finished (a long job working in chunks): saved with the job's progress in the same
  // transaction as this chunk's writes; the next call sees it as job.state.
  Json state;
  std::optional<domain::JobProgress> progress;
};

// Runs inside the write unit that also completes (or checkpoints) the job: its writes and the
// job's new status commit together or not at all. It may run more than once for one job when
// a worker dies before committing, so effects outside the database must be idempotent (use
// the job id as the key). An error retries the job with back-off; kBadRequest means the
// payload can never succeed, and dead-letters it at once.
using JobHandler = std::function<Result<JobStep>(domain::Transaction&, const domain::Job&)>;

struct JobKind {
  std::string name;
  JobHandler handler;
  // For the jobs the runner enqueues itself (outbox consumers, recurring); code that enqueues
  // a kind directly sets NewJob::max_attempts.
  int max_attempts = 8;
  std::int64_t lease_ms = 60'000;  // renewed by every checkpoint
  // > 0: a recurring job, kept scheduled once per period (see JobRunner).
  std::int64_t every_ms = 0;
};

// An outbox consumer: every event whose type matches becomes one job of `job_kind`, with the
// event as payload. Each consumer keeps its own cursor; a new one starts at the events
// written after a process that knows it first opened the database (serve or worker).
struct OutboxConsumer {
  std::string name;
  std::vector<std::string> event_types;  // "contact.created", or a prefix "deal.*"
  std::string job_kind;
};

class JobRegistry {
 public:
  void add(JobKind kind) { kinds_[kind.name] = std::move(kind); }
  void add(OutboxConsumer consumer) { consumers_.push_back(std::move(consumer)); }

  const JobKind* find(const std::string& name) const {
    auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> kind_names() const {
    std::vector<std::string> names;
    for (const auto& [name, kind] : kinds_) names.push_back(name);
    return names;
  }
  const std::map<std::string, JobKind>& kinds() const { return kinds_; }
  const std::vector<OutboxConsumer>& consumers() const { return consumers_; }

 private:
  std::map<std::string, JobKind> kinds_;
  std::vector<OutboxConsumer> consumers_;
};

bool event_type_matches(const std::string& pattern, const std::string& type);

}  // namespace relais::jobs
