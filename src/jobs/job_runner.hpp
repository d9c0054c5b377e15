// Runs the jobs of a JobRegistry from the database's queue, on its own threads, inside
// `relais serve --job-workers N` or `relais worker`. Several runners (threads, processes,
// servers) may share one database: claims lease each job to exactly one of them.
//
// Each thread loops: claim a batch of due jobs (one write unit), then run the batch in one
// write unit: first hold() the batch (its rows locked until commit, so no lease can be lost
// meanwhile), then each handler inside its own savepoint, so one failing job rolls back alone
// and its effect is never half-applied, then complete_held() every finished job in one
// statement, committed with their effects. A failed handler's savepoint is rolled back and
// the job failed (retried later with back-off); a job no longer held is left to whoever holds
// its lease now. A worker killed at any instant leaves its jobs leased until the lease
// expires, when any runner claims them again: nothing is lost, and nothing committed runs
// twice.
//
// Thread 0 also dispatches the outbox to the registry's consumers and keeps recurring kinds
// scheduled.
//
// Idle threads sleep until the store signals (domain/signals.hpp) that a job became due
// (kJobsDue: on PostgreSQL from any server, through LISTEN/NOTIFY) or, for thread 0, that
// outbox events were written here (kOutbox); the idle poll is only the safety net for what
// no signal reaches (see RunnerOptions::idle_poll_ms), and a job due later wakes its thread
// at its run_at.
//
// Threading: start() and stop() from one owning thread; notify() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "domain/store.hpp"
#include "jobs/job_registry.hpp"
#include "jobs/retry_policy.hpp"

namespace relais::jobs {

struct RunnerOptions {
  int threads = 2;
  // Jobs claimed, then run and committed, together: one commit (fsync) per batch. 256 drains
  // a backlog at ~10-11k jobs/s here, 64 at ~3.8k (docs/benchmarks.md, "Jobs").
  int batch = 256;
  // How often an idle runner looks for due jobs without being signalled. 0: kIdlePollMs, or
  // kSignalledIdlePollMs on a store whose signals reach other processes (PostgreSQL), where
  // the poll only covers a lost notification.
  std::int64_t idle_poll_ms = 0;
  std::string worker_name;  // empty: "<host>:<pid>:<random>"
  RetryPolicy retry;
  std::function<std::int64_t()> clock;  // epoch ms; empty: the system clock
};

inline constexpr std::int64_t kIdlePollMs = 20;
inline constexpr std::int64_t kSignalledIdlePollMs = 1'000;

class JobRunner {
 public:
  // `store` and `registry` must outlive the runner.
  JobRunner(domain::Store& store, const JobRegistry& registry, RunnerOptions options);
  ~JobRunner();  // stop()
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void start();
  // Graceful: no new claims; each thread finishes the batch it is running, gives back (with
  // its attempt uncounted) every job it holds but has not finished, then exits.
  void stop();
  // Wakes idle threads now (e.g. after this process enqueued a job).
  void notify();

  const std::string& worker_name() const { return worker_; }
  // Jobs finished (done, failed or dead) by this runner since start: for tests and metrics.
  std::int64_t handled() const { return handled_.load(); }

  // One pass of thread 0's duties, also used by tests: moves new outbox events to consumer
  // jobs (returns how many events were taken) and schedules recurring kinds.
  Result<int> dispatch_outbox();
  // Gives every consumer of the registry that has never run a cursor at the outbox head: the
  // point from which it takes events. Called by every process that opens the database for
  // serving, with or without job threads, so events written while no worker runs yet are
  // not skipped when one starts.
  Result<void> start_new_consumers();
  Result<void> schedule_recurring();

 private:
  void thread_loop(int index);
  // Runs claimed jobs; returns the ones still running (long jobs between chunks).
  std::vector<domain::Job> run_batch(std::vector<domain::Job> jobs, std::mt19937_64& rng);
  void release_all(const std::vector<domain::Job>& jobs);
  // Sleeps until `until_ms`, a notify(), or (the dispatcher, thread 0) new outbox events.
  // Returns whether a notify() (a due-job signal) woke it.
  bool wait_idle(std::int64_t until_ms, bool dispatcher);
  std::int64_t now_ms() const;

  domain::Store& store_;
  const JobRegistry& registry_;
  RunnerOptions options_;
  std::string worker_;
  std::vector<std::string> kinds_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;               // guarded by mutex_
  bool notified_ = false;               // guarded by mutex_
  bool outbox_written_ = false;         // guarded by mutex_; thread 0 dispatches
  std::atomic<bool> stop_flag_{false};  // read between jobs of a batch, without the mutex
  std::atomic<std::int64_t> handled_{0};
  std::vector<std::thread> threads_;
  // Last: dropped first, so no store callback reaches a runner being destroyed.
  domain::Subscription jobs_due_signal_;
  domain::Subscription outbox_signal_;
};

}  // namespace relais::jobs
