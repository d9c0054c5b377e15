// The job queue port: durable background work kept in the database, written in the same
// transaction as the change that causes it. Implemented by each storage engine; the runner in
// src/jobs/ drives it. Nothing here names SQL or an engine.
//
// A job's life (see docs/DESIGN.md, "Jobs"):
//   queued ──claim──▶ running ──complete──▶ done
//     ▲                 │  ├──checkpoint──▶ running (long job: progress saved, lease renewed)
//     │                 │  ├──release────▶ queued   (graceful shutdown; attempt not counted)
//     │                 │  └──fail───────▶ failed (retry at run_at) | dead (attempts used up)
//     └──retry (admin)──┴── failed|dead; a failed job is claimed again once run_at has passed,
//                           a running job whose lease expired (killed worker) too.
// Exactly-once in effect: a handler's writes and its complete()/checkpoint() share one
// transaction, and both are refused (kConflict) once the worker no longer holds the lease, so
// the unit rolls back and the effect is never applied twice. A runner running a batch first
// hold()s the batch's jobs (locked for the rest of the unit: the lease cannot be lost in
// between), then runs each handler, then complete_held()s the finished ones at once.
//
// Times are epoch milliseconds (UTC): one engine-neutral type that compares as a number.
// Threading: a JobQueue belongs to the Transaction it came from (see store.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace relais::domain {

enum class JobStatus { kQueued, kRunning, kDone, kFailed, kDead };

std::string_view to_string(JobStatus status);
std::optional<JobStatus> parse_job_status(std::string_view text);

struct JobProgress {
  std::int64_t done = 0;
  std::int64_t total = 0;
};

struct NewJob {
  std::string kind;
  Json payload = Json::object();
  std::int64_t run_at_ms = 0;  // 0: as soon as possible
  int max_attempts = 8;
  // Empty: none. Unique across all jobs ever enqueued: enqueueing a key already used returns
  // the existing job's id and changes nothing (at-most-once enqueue, e.g. per outbox event).
  std::string idempotency_key;
};

struct Job {
  std::int64_t id = 0;
  std::string kind;
  Json payload = Json::object();
  JobStatus status = JobStatus::kQueued;
  int attempts = 0;  // claims so far, the current one included
  int max_attempts = 8;
  std::int64_t run_at_ms = 0;
  std::optional<JobProgress> progress;
  std::string last_error;
  Json state;               // a long job's continuation state (checkpoint), null before the first
  Json result;              // what the handler returned when done, null before
  std::string lease_owner;  // empty unless running
  std::int64_t lease_until_ms = 0;
  std::string idempotency_key;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t finished_at_ms = 0;  // 0 unless done or dead
};

struct JobClaim {
  std::string worker;  // unique per worker process, e.g. "host:pid:nonce"
  int limit = 32;
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 60'000;
  std::vector<std::string> kinds;  // empty: any kind
};

// One finished job of a batch and what its handler returned (JobQueue::complete_held).
struct JobCompletion {
  std::int64_t id = 0;
  Json result;
};

struct JobListQuery {
  std::optional<JobStatus> status;
  std::string kind;  // empty: any
  int limit = 50;
  std::string cursor;  // opaque, from JobPage::next_cursor
};

struct JobPage {
  std::vector<Job> items;
  std::optional<std::string> next_cursor;
};

// A place in the outbox's consumption order: a consumer's cursor is the position of the last
// event it took. Positions compare in the order consumers take events; what their fields
// hold is the engine's business (SQLite: {0, event id}, its single writer commits in id
// order; PostgreSQL: {writing transaction, event id}, see pg_job_queue.hpp): compare them,
// never compute with them. {}: before every event.
struct OutboxPosition {
  std::int64_t tx = 0;
  std::int64_t id = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  friend auto operator<=>(const OutboxPosition&, const OutboxPosition&) = default;
};

// One row of the transactional outbox (what Transaction::record_event wrote).
struct OutboxEvent {
  std::int64_t id = 0;  // unique, never reused: consumers key their jobs on it
  // Increasing in the order consumers receive events: a consumer that has taken the event at
  // P never later finds a new event at or below P. An engine whose ids are handed out before
  // commit orders by more than the id, and holds back events that may still be overtaken.
  OutboxPosition position;
  std::string at;  // stamp form, "2026-11-25T14:03:07.123Z"
  std::string type;
  std::string entity;
  std::int64_t record_id = 0;
  std::int64_t actor_user_id = 0;
  Json payload = Json::object();
};

// A place in the order jobs change: every enqueue and every change of a job (claim,
// checkpoint, completion, failure, release, retry) moves the job to a new position after
// every position a reader could already see, so "the jobs changed after P" misses nothing.
// Like OutboxPosition, what the fields hold is the engine's business (SQLite: {change_seq,
// id}; PostgreSQL: {writing transaction, change_seq}): compare them, never compute with them.
// {}: before every change.
struct JobChangePosition {
  std::int64_t major = 0;
  std::int64_t minor = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  friend auto operator<=>(const JobChangePosition&, const JobChangePosition&) = default;
};

// A job as it is now, at the position of its latest change.
struct JobChange {
  JobChangePosition position;
  Job job;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Returns the new job's id, or the existing one's when idempotency_key was used before.
  // kValidationFailed for an empty kind or max_attempts < 1.
  virtual Result<std::int64_t> enqueue(const NewJob& job) = 0;

  // Leases up to `limit` due jobs to `worker`, oldest run_at first: queued or failed jobs
  // whose run_at has passed, and running jobs whose lease has expired. Each claim counts one
  // attempt. Engines guarantee that two concurrent claims never lease the same job.
  virtual std::vector<Job> claim(const JobClaim& claim) = 0;

  // The earliest run_at (or lease expiry) among claimable jobs, if any: when to look again.
  virtual std::optional<std::int64_t> next_due_ms() = 0;

  // Each of these requires that `worker` still holds the job's lease (status running, lease
  // owner = worker); otherwise kConflict, and the caller's transaction must roll back.
  virtual Result<void> complete(std::int64_t id, const std::string& worker, const Json& result,
                                std::int64_t now_ms) = 0;
  // Saves a long job's progress and continuation state and renews the lease until
  // `lease_until_ms`; the job stays running with the same worker.
  virtual Result<void> checkpoint(std::int64_t id, const std::string& worker, const Json& state,
                                  std::optional<JobProgress> progress, std::int64_t lease_until_ms,
                                  std::int64_t now_ms) = 0;
  // Batches (what a runner does with the jobs it claimed, in one write unit):
  // Locks the jobs `ids` until the unit ends and returns, in no particular order, those still
  // leased to `worker` (running, lease owner = worker). While held, no claim takes them, not
  // even once their lease has expired, so the runner can run their handlers one after the
  // other and complete them together at the end of the unit (complete_held).
  virtual std::vector<std::int64_t> hold(const std::vector<std::int64_t>& ids,
                                         const std::string& worker) = 0;
  // complete() for many jobs held in this unit, in one statement. kConflict (and nothing
  // completed) when any of them is no longer leased to `worker`: the unit must roll back.
  virtual Result<void> complete_held(const std::vector<JobCompletion>& jobs,
                                     const std::string& worker, std::int64_t now_ms) = 0;
  // retry_at_ms set: failed, claimable again from then; nullopt: dead (dead letter).
  virtual Result<void> fail(std::int64_t id, const std::string& worker, const std::string& error,
                            std::optional<std::int64_t> retry_at_ms, std::int64_t now_ms) = 0;
  // Gives the job back (queued, due now) without counting the attempt: graceful shutdown.
  virtual Result<void> release(std::int64_t id, const std::string& worker, std::int64_t now_ms) = 0;

  // Administration.
  virtual Result<Job> get(std::int64_t id) = 0;
  virtual Result<JobPage> list(const JobListQuery& query) = 0;
  // A failed or dead job becomes queued, due now, with its attempts reset; kConflict for a
  // job in any other status.
  virtual Result<Job> retry(std::int64_t id, std::int64_t now_ms) = 0;

  // Outbox consumers: each named consumer keeps its own cursor (the position of the last
  // event it has taken). nullopt: the consumer has never run. In a write unit the cursor is
  // locked until the unit ends, so dispatchers on several servers never take the same events
  // twice (SQLite: the single writer already serialises them).
  virtual std::optional<OutboxPosition> consumer_cursor(const std::string& consumer) = 0;
  virtual void set_consumer_cursor(const std::string& consumer, OutboxPosition position) = 0;
  // Events after `after` in consumption order, at most `limit`. An event shows once its unit
  // has committed and, on an engine that orders by more than commit (PostgreSQL), once every
  // unit that began writing before it has ended too; until then it is held back, never lost.
  virtual std::vector<OutboxEvent> outbox_after(OutboxPosition after, int limit) = 0;
  // The position of the last event outbox_after can return now ({} when none): where a new
  // consumer starts.
  virtual OutboxPosition outbox_head() = 0;

  // The jobs whose latest change is after `after`, in change order, at most `limit`: one
  // entry per job however often it changed (its current state). A change shows once its unit
  // has committed and, on an engine that orders by more than commit (PostgreSQL), once every
  // unit that began writing before it has ended too: held back, never lost, as the outbox.
  virtual std::vector<JobChange> changes_after(JobChangePosition after, int limit) = 0;
  // The position of the last change changes_after can return now ({} when none): where a
  // reader that wants only what happens from now on starts.
  virtual JobChangePosition change_head() = 0;

  // Retention, at most `limit` rows per call; each returns how many rows it deleted.
  // Done jobs finished before `finished_before_ms` (dead ones stay until retried or deleted
  // by hand: they are the dead-letter queue).
  virtual int prune_done_jobs(std::int64_t finished_before_ms, int limit) = 0;
  // Outbox events at or before `up_to` (what every consumer has taken) written before
  // `before_stamp` (stamp form).
  virtual int prune_outbox(OutboxPosition up_to, const std::string& before_stamp, int limit) = 0;
};

}  // namespace relais::domain
