// domain::JobQueue over one SQLite connection, inside the unit of work of the transaction
// that owns it. Claims need no row locks here: every write unit runs on the store's single
// writer inside BEGIN IMMEDIATE, so two claims (threads or processes) never interleave.
#pragma once

#include "domain/jobs/job_queue.hpp"
#include "domain/signals.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

class SqliteJobQueue final : public domain::JobQueue {
 public:
  // `signals`: the unit's pending signals (a job due now signals Topic::kJobsDue at commit);
  // null outside the writer (tools), where nothing listens.
  explicit SqliteJobQueue(Connection& db, domain::PendingSignals* signals = nullptr)
      : db_(db), signals_(signals) {}

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
  // Runs `sql` (an UPDATE whose last two parameters are id and worker) and maps "no row" to
  // the lease-lost conflict.
  Result<void> update_leased(StatementRef stmt, std::int64_t id);

  Connection& db_;
  domain::PendingSignals* signals_;
};

}  // namespace relais::storage::sqlite
