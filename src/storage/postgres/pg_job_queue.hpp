// domain::JobQueue on PostgreSQL (see domain/jobs/job_queue.hpp for the contract, and the
// SQLite engine's sqlite_job_queue.hpp for the same behaviour on one writer). Several worker
// processes claim concurrently: claims take rows FOR UPDATE SKIP LOCKED, so two never lease
// the same job and neither waits for the other.
//
// Isolation: a claim is meant to run in a READ COMMITTED write unit (Store::write_row_locked),
// where a row another claim leased since the statement began is re-checked and passed over.
// Under REPEATABLE READ or SERIALIZABLE, that row is a serialization failure instead, and
// SSI's predicate locks on the scanned index pages make two claims over the same queue head
// fail each other too (measured in pg_job_queue_test.cpp): correct after retries, but most
// concurrent claims would be retried.
//
// The outbox is consumed in (writing transaction, id) order below relais_outbox_horizon()
// (migrations/0004_jobs.sql), so a lower id committed late is never skipped: positions are
// {tx, id}.
//
// Threading: belongs to one PgTransaction, used by its thread only.
#pragma once

#include "domain/jobs/job_queue.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

class PgJobQueue final : public domain::JobQueue {
 public:
  // The NOTIFY channel a unit that enqueued a job due now signals at commit (no payload).
  static constexpr const char* kJobsChannel = "relais_jobs";

  // `write_unit`: false in a READ ONLY unit, where consumer cursors cannot be locked.
  PgJobQueue(PgConnection& db, bool write_unit) : db_(db), write_unit_(write_unit) {}

  Result<std::int64_t> enqueue(const domain::NewJob& job) override;
  std::vector<domain::Job> claim(const domain::JobClaim& claim) override;
  std::optional<std::int64_t> next_due_ms() override;
  Result<void> complete(std::int64_t id, const std::string& worker, const Json& result,
                        std::int64_t now_ms) override;
  Result<void> checkpoint(std::int64_t id, const std::string& worker, const Json& state,
                          std::optional<domain::JobProgress> progress, std::int64_t lease_until_ms,
                          std::int64_t now_ms) override;
  std::vector<std::int64_t> hold(const std::vector<std::int64_t>& ids,
                                 const std::string& worker) override;
  Result<void> complete_held(const std::vector<domain::JobCompletion>& jobs,
                             const std::string& worker, std::int64_t now_ms) override;
  Result<void> fail(std::int64_t id, const std::string& worker, const std::string& error,
                    std::optional<std::int64_t> retry_at_ms, std::int64_t now_ms) override;
  Result<void> release(std::int64_t id, const std::string& worker, std::int64_t now_ms) override;
  Result<domain::Job> get(std::int64_t id) override;
  Result<domain::JobPage> list(const domain::JobListQuery& query) override;
  Result<domain::Job> retry(std::int64_t id, std::int64_t now_ms) override;
  std::optional<domain::OutboxPosition> consumer_cursor(const std::string& consumer) override;
  void set_consumer_cursor(const std::string& consumer, domain::OutboxPosition position) override;
  std::vector<domain::OutboxEvent> outbox_after(domain::OutboxPosition after, int limit) override;
  domain::OutboxPosition outbox_head() override;
  std::vector<domain::JobChange> changes_after(domain::JobChangePosition after, int limit) override;
  domain::JobChangePosition change_head() override;
  int prune_done_jobs(std::int64_t finished_before_ms, int limit) override;
  int prune_outbox(domain::OutboxPosition up_to, const std::string& before_stamp,
                   int limit) override;

 private:
  PgConnection& db_;
  bool write_unit_;
  bool notified_ = false;  // this unit has signalled kJobsChannel already
};

}  // namespace relais::storage::postgres
