// domain::JobQueue on PostgreSQL (see domain/jobs/job_queue.hpp for the contract, and the
// SQLite engine's sqlite_job_queue.hpp for the same behaviour on one writer). Several worker
// processes claim concurrently: claims take rows FOR UPDATE SKIP LOCKED, so two never lease
// the same job and neither waits for the other.
//
// Threading: belongs to one PgTransaction, used by its thread only.
#pragma once

#include "domain/jobs/job_queue.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

class PgJobQueue final : public domain::JobQueue {
 public:
  explicit PgJobQueue(PgConnection& db) : db_(db) {}

  Result<std::int64_t> enqueue(const domain::NewJob& job) override;
  std::vector<domain::Job> claim(const domain::JobClaim& claim) override;
  std::optional<std::int64_t> next_due_ms() override;
  Result<void> complete(std::int64_t id, const std::string& worker, const Json& result,
                        std::int64_t now_ms) override;
  Result<void> checkpoint(std::int64_t id, const std::string& worker, const Json& state,
                          std::optional<domain::JobProgress> progress, std::int64_t lease_until_ms,
                          std::int64_t now_ms) override;
  Result<void> fail(std::int64_t id, const std::string& worker, const std::string& error,
                    std::optional<std::int64_t> retry_at_ms, std::int64_t now_ms) override;
  Result<void> release(std::int64_t id, const std::string& worker, std::int64_t now_ms) override;
  Result<domain::Job> get(std::int64_t id) override;
  Result<domain::JobPage> list(const domain::JobListQuery& query) override;
  Result<domain::Job> retry(std::int64_t id, std::int64_t now_ms) override;
  std::optional<std::int64_t> consumer_cursor(const std::string& consumer) override;
  void set_consumer_cursor(const std::string& consumer, std::int64_t event_id) override;
  std::vector<domain::OutboxEvent> outbox_after(std::int64_t after_id, int limit) override;
  std::int64_t outbox_head() override;
  int prune_done_jobs(std::int64_t finished_before_ms, int limit) override;
  int prune_outbox(std::int64_t up_to_event_id, const std::string& before_stamp,
                   int limit) override;

 private:
  PgConnection& db_;
};

}  // namespace relais::storage::postgres
