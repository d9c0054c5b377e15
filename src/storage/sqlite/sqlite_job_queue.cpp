#include "storage/sqlite/sqlite_job_queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "storage/common/time_util.hpp"

namespace relais::storage::sqlite {
namespace {

using domain::Job;
using domain::JobStatus;

constexpr const char* kJobColumns =
    "id, kind, payload_json, status, attempts, max_attempts, run_at, lease_owner, lease_until, "
    "progress_done, progress_total, state_json, result_json, last_error, idempotency_key, "
    "created_at, updated_at, finished_at";

// Every statement that inserts or changes a job moves it to the end of the change order
// (0008_job_changes.sql): one more than the highest change so far, read from the index's end.
// SQLite evaluates it once per statement, so the jobs one claim changes share a change_seq and
// the position {change_seq, id} tells them apart.
constexpr const char* kNextChange = "(SELECT coalesce(max(change_seq), 0) + 1 FROM jobs)";

Json parse_json_column(const Statement& stmt, int column) {
  if (stmt.is_null(column)) return nullptr;
  return Json::parse(stmt.column_text(column));
}

std::int64_t int_or_zero(const Statement& stmt, int column) {
  return stmt.is_null(column) ? 0 : stmt.column_int64(column);
}

Job decode_job(const Statement& s) {
  Job job;
  job.id = s.column_int64(0);
  job.kind = s.column_text(1);
  job.payload = parse_json_column(s, 2);
  job.status = domain::parse_job_status(s.column_text(3)).value_or(JobStatus::kQueued);
  job.attempts = static_cast<int>(s.column_int64(4));
  job.max_attempts = static_cast<int>(s.column_int64(5));
  job.run_at_ms = s.column_int64(6);
  job.lease_owner = s.is_null(7) ? std::string() : s.column_text(7);
  job.lease_until_ms = int_or_zero(s, 8);
  if (!s.is_null(9)) job.progress = domain::JobProgress{s.column_int64(9), int_or_zero(s, 10)};
  job.state = parse_json_column(s, 11);
  job.result = parse_json_column(s, 12);
  job.last_error = s.is_null(13) ? std::string() : s.column_text(13);
  job.idempotency_key = s.is_null(14) ? std::string() : s.column_text(14);
  job.created_at_ms = s.column_int64(15);
  job.updated_at_ms = s.column_int64(16);
  job.finished_at_ms = int_or_zero(s, 17);
  return job;
}

std::string kinds_json(const std::vector<std::string>& kinds) {
  Json array = Json::array();
  for (const auto& k : kinds) array.push_back(k);
  return array.dump();
}

Error lease_lost(std::int64_t id) {
  return Error::conflict(fmt::format("job {} is no longer leased to this worker", id));
}

}  // namespace

Result<std::int64_t> SqliteJobQueue::enqueue(const domain::NewJob& job) {
  if (job.kind.empty()) return Error::field("kind", "a job needs a kind");
  if (job.max_attempts < 1) return Error::field("max_attempts", "must be at least 1");
  const std::int64_t now = now_epoch_ms();
  auto stmt = db_.prepare(
      fmt::format("INSERT INTO jobs(kind, payload_json, status, attempts, max_attempts, run_at, "
                  "idempotency_key, created_at, updated_at, change_seq) "
                  "VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, {}) "
                  "ON CONFLICT(idempotency_key) DO NOTHING",
                  kNextChange));
  stmt->bind(1, std::string_view(job.kind));
  stmt->bind(2, std::string_view(job.payload.is_null() ? "{}" : job.payload.dump()));
  stmt->bind(3, static_cast<std::int64_t>(job.max_attempts));
  stmt->bind(4, job.run_at_ms > 0 ? job.run_at_ms : now);
  if (job.idempotency_key.empty()) {
    stmt->bind_null(5);
  } else {
    stmt->bind(5, std::string_view(job.idempotency_key));
  }
  stmt->bind(6, now);
  stmt->bind(7, now);
  stmt->run();
  if (db_.changes() == 1) {
    if (signals_ != nullptr && job.run_at_ms <= now) signals_->add(domain::Topic::kJobsDue);
    return db_.last_insert_rowid();
  }
  auto existing = db_.prepare("SELECT id FROM jobs WHERE idempotency_key = ?");
  existing->bind(1, std::string_view(job.idempotency_key));
  if (!existing->step()) return Error::internal("job insert ignored without a duplicate key");
  return existing->column_int64(0);
}

std::vector<Job> SqliteJobQueue::claim(const domain::JobClaim& claim) {
  // Waiting jobs that are due, and running jobs whose worker let the lease expire, oldest
  // first. Each half walks its partial index (jobs_due, jobs_leased) in order and stops at
  // the limit, so a claim costs the same with 10 or 10 million jobs waiting (sorting the
  // union instead made a 50k backlog drain at a third of the speed).
  auto stmt = db_.prepare(
      fmt::format("UPDATE jobs SET status = 'running', lease_owner = ?1, lease_until = ?2, "
                  "attempts = attempts + 1, updated_at = ?3, change_seq = {} "
                  "WHERE id IN (SELECT id FROM ("
                  "  SELECT * FROM (SELECT id, run_at AS due FROM jobs"
                  "   WHERE status IN ('queued', 'failed') AND run_at <= ?3"
                  "   AND (?5 = 0 OR kind IN (SELECT value FROM json_each(?6)))"
                  "   ORDER BY run_at, id LIMIT ?4)"
                  "  UNION ALL"
                  "  SELECT * FROM (SELECT id, lease_until AS due FROM jobs"
                  "   WHERE status = 'running' AND lease_until <= ?3"
                  "   AND (?5 = 0 OR kind IN (SELECT value FROM json_each(?6)))"
                  "   ORDER BY lease_until, id LIMIT ?4)"
                  ") ORDER BY due, id LIMIT ?4) "
                  "RETURNING {}",
                  kNextChange, kJobColumns));
  stmt->bind(1, std::string_view(claim.worker));
  stmt->bind(2, claim.now_ms + claim.lease_ms);
  stmt->bind(3, claim.now_ms);
  stmt->bind(4, static_cast<std::int64_t>(std::max(claim.limit, 0)));
  stmt->bind(5, static_cast<std::int64_t>(claim.kinds.size()));
  stmt->bind(6, std::string_view(kinds_json(claim.kinds)));
  std::vector<Job> jobs;
  while (stmt->step()) jobs.push_back(decode_job(*stmt));
  // RETURNING gives no order: hand jobs out oldest first, as selected.
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.run_at_ms != b.run_at_ms ? a.run_at_ms < b.run_at_ms : a.id < b.id;
  });
  return jobs;
}

std::optional<std::int64_t> SqliteJobQueue::next_due_ms() {
  auto stmt = db_.prepare(
      "SELECT min(due) FROM ("
      " SELECT min(run_at) AS due FROM jobs WHERE status IN ('queued', 'failed')"
      " UNION ALL SELECT min(lease_until) FROM jobs WHERE status = 'running')");
  if (!stmt->step() || stmt->is_null(0)) return std::nullopt;
  return stmt->column_int64(0);
}

Result<void> SqliteJobQueue::update_leased(StatementRef stmt, std::int64_t id) {
  stmt->run();
  if (db_.changes() == 1) return {};
  return lease_lost(id);
}

Result<void> SqliteJobQueue::complete(std::int64_t id, const std::string& worker,
                                      const Json& result, std::int64_t now_ms) {
  auto stmt = db_.prepare(
      fmt::format("UPDATE jobs SET status = 'done', result_json = ?, lease_owner = NULL, "
                  "lease_until = NULL, updated_at = ?, finished_at = ?, change_seq = {} "
                  "WHERE id = ? AND status = 'running' AND lease_owner = ?",
                  kNextChange));
  bind_json_or_null(*stmt, 1, result);
  stmt->bind(2, now_ms);
  stmt->bind(3, now_ms);
  stmt->bind(4, id);
  stmt->bind(5, std::string_view(worker));
  return update_leased(std::move(stmt), id);
}

// The single writer already keeps every other unit out until this one ends: holding is
// checking. Found by the primary key (`+status`: see complete_held).
std::vector<std::int64_t> SqliteJobQueue::hold(const std::vector<std::int64_t>& ids,
                                               const std::string& worker) {
  auto stmt = db_.prepare(
      "SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?1)) "
      "AND +status = 'running' AND lease_owner = ?2");
  stmt->bind(1, std::string_view(Json(ids).dump()));
  stmt->bind(2, std::string_view(worker));
  std::vector<std::int64_t> held;
  held.reserve(ids.size());
  while (stmt->step()) held.push_back(stmt->column_int64(0));
  return held;
}

Result<void> SqliteJobQueue::complete_held(const std::vector<domain::JobCompletion>& jobs,
                                           const std::string& worker, std::int64_t now_ms) {
  if (jobs.empty()) return {};
  // One statement for the whole batch: the ids as a JSON array (an IN list: SQLite probes the
  // primary key per id), the results as a JSON object {"<id>": "<result as JSON text>"} with
  // only the non-null ones. `+status`: without statistics (a new database) SQLite would
  // walk jobs_by_status over every running job instead — per JSON row when written as
  // `UPDATE … FROM json_each(?)`, which took 60 % of the writer's time (measured).
  Json ids = Json::array();
  Json results = Json::object();
  for (const auto& job : jobs) {
    ids.push_back(job.id);
    if (!job.result.is_null()) results[std::to_string(job.id)] = job.result.dump();
  }
  auto stmt = db_.prepare(
      "UPDATE jobs SET status = 'done', result_json = ?2 ->> ('$.\"' || id || '\"'), "
      "lease_owner = NULL, lease_until = NULL, updated_at = ?3, finished_at = ?3 "
      "WHERE id IN (SELECT value FROM json_each(?1)) AND +status = 'running' "
      "AND lease_owner = ?4");
  stmt->bind(1, std::string_view(ids.dump()));
  stmt->bind(2, std::string_view(results.dump()));
  stmt->bind(3, now_ms);
  stmt->bind(4, std::string_view(worker));
  stmt->run();
  if (db_.changes() == static_cast<int>(jobs.size())) return {};
  return Error::conflict(fmt::format("{} of {} jobs are no longer leased to this worker",
                                     jobs.size() - static_cast<std::size_t>(db_.changes()),
                                     jobs.size()));
}

Result<void> SqliteJobQueue::checkpoint(std::int64_t id, const std::string& worker,
                                        const Json& state,
                                        std::optional<domain::JobProgress> progress,
                                        std::int64_t lease_until_ms, std::int64_t now_ms) {
  auto stmt = db_.prepare(
      fmt::format("UPDATE jobs SET state_json = ?, progress_done = ?, progress_total = ?, "
                  "lease_until = ?, updated_at = ?, change_seq = {} "
                  "WHERE id = ? AND status = 'running' AND lease_owner = ?",
                  kNextChange));
  bind_json_or_null(*stmt, 1, state);
  if (progress) {
    stmt->bind(2, progress->done);
    stmt->bind(3, progress->total);
  } else {
    stmt->bind_null(2);
    stmt->bind_null(3);
  }
  stmt->bind(4, lease_until_ms);
  stmt->bind(5, now_ms);
  stmt->bind(6, id);
  stmt->bind(7, std::string_view(worker));
  return update_leased(std::move(stmt), id);
}

Result<void> SqliteJobQueue::fail(std::int64_t id, const std::string& worker,
                                  const std::string& error, std::optional<std::int64_t> retry_at_ms,
                                  std::int64_t now_ms) {
  auto stmt = db_.prepare(
      fmt::format("UPDATE jobs SET status = ?, run_at = coalesce(?, run_at), last_error = ?, "
                  "lease_owner = NULL, lease_until = NULL, updated_at = ?, finished_at = ?, "
                  "change_seq = {} WHERE id = ? AND status = 'running' AND lease_owner = ?",
                  kNextChange));
  stmt->bind(1, std::string_view(retry_at_ms ? "failed" : "dead"));
  if (retry_at_ms) {
    stmt->bind(2, *retry_at_ms);
    stmt->bind_null(5);
  } else {
    stmt->bind_null(2);
    stmt->bind(5, now_ms);
  }
  stmt->bind(3, std::string_view(error));
  stmt->bind(4, now_ms);
  stmt->bind(6, id);
  stmt->bind(7, std::string_view(worker));
  return update_leased(std::move(stmt), id);
}

Result<void> SqliteJobQueue::release(std::int64_t id, const std::string& worker,
                                     std::int64_t now_ms) {
  auto stmt = db_.prepare(
      fmt::format("UPDATE jobs SET status = 'queued', attempts = max(attempts - 1, 0), "
                  "run_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?, "
                  "change_seq = {} WHERE id = ? AND status = 'running' AND lease_owner = ?",
                  kNextChange));
  stmt->bind(1, now_ms);
  stmt->bind(2, now_ms);
  stmt->bind(3, id);
  stmt->bind(4, std::string_view(worker));
  return update_leased(std::move(stmt), id);
}

Result<Job> SqliteJobQueue::get(std::int64_t id) {
  auto stmt = db_.prepare(fmt::format("SELECT {} FROM jobs WHERE id = ?", kJobColumns));
  stmt->bind(1, id);
  if (!stmt->step()) return Error::not_found(fmt::format("no job with id {}", id));
  return decode_job(*stmt);
}

Result<domain::JobPage> SqliteJobQueue::list(const domain::JobListQuery& query) {
  std::int64_t before = INT64_MAX;
  if (!query.cursor.empty()) {
    const char* begin = query.cursor.data();
    const char* end = begin + query.cursor.size();
    auto [ptr, ec] = std::from_chars(begin, end, before);
    if (ec != std::errc() || ptr != end || before <= 0) {
      return Error::field("cursor", "not a cursor from next_cursor");
    }
  }
  const int limit = std::clamp(query.limit, 1, 500);
  // Newest first; both filters optional (?2/?3 empty text = any).
  auto stmt = db_.prepare(fmt::format(
      "SELECT {} FROM jobs WHERE id < ?1 AND (?2 = '' OR status = ?2) AND (?3 = '' OR kind = ?3) "
      "ORDER BY id DESC LIMIT ?4",
      kJobColumns));
  // Never a default std::string_view for "any": its null data() would bind as NULL.
  const std::string status(query.status ? domain::to_string(*query.status) : "");
  stmt->bind(1, before);
  stmt->bind(2, std::string_view(status));
  stmt->bind(3, std::string_view(query.kind));
  stmt->bind(4, static_cast<std::int64_t>(limit) + 1);
  domain::JobPage page;
  while (stmt->step()) page.items.push_back(decode_job(*stmt));
  if (page.items.size() > static_cast<std::size_t>(limit)) {
    page.items.pop_back();
    page.next_cursor = std::to_string(page.items.back().id);
  }
  return page;
}

Result<Job> SqliteJobQueue::retry(std::int64_t id, std::int64_t now_ms) {
  RELAIS_ASSIGN_OR_RETURN(Job job, get(id));
  if (job.status != JobStatus::kFailed && job.status != JobStatus::kDead) {
    return Error::conflict(fmt::format("job {} is {}: only failed or dead jobs can be retried", id,
                                       domain::to_string(job.status)));
  }
  auto stmt =
      db_.prepare(fmt::format("UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, "
                              "finished_at = NULL, updated_at = ?, change_seq = {} WHERE id = ?",
                              kNextChange));
  stmt->bind(1, now_ms);
  stmt->bind(2, now_ms);
  stmt->bind(3, id);
  stmt->run();
  return get(id);
}

// One writer commits in id order, so the id alone orders the outbox here: positions are
// {0, id}, and a cursor keeps only its id.
std::optional<domain::OutboxPosition> SqliteJobQueue::consumer_cursor(const std::string& consumer) {
  auto stmt = db_.prepare("SELECT last_event_id FROM outbox_consumers WHERE name = ?");
  stmt->bind(1, std::string_view(consumer));
  if (!stmt->step()) return std::nullopt;
  return domain::OutboxPosition{0, stmt->column_int64(0)};
}

void SqliteJobQueue::set_consumer_cursor(const std::string& consumer,
                                         domain::OutboxPosition position) {
  auto stmt = db_.prepare(
      "INSERT INTO outbox_consumers(name, last_event_id, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET last_event_id = excluded.last_event_id, "
      "updated_at = excluded.updated_at");
  stmt->bind(1, std::string_view(consumer));
  stmt->bind(2, position.id);
  stmt->bind(3, now_epoch_ms());
  stmt->run();
}

std::vector<domain::OutboxEvent> SqliteJobQueue::outbox_after(domain::OutboxPosition after,
                                                              int limit) {
  auto stmt = db_.prepare(
      "SELECT id, at, type, entity, record_id, actor_user_id, payload_json FROM outbox_events "
      "WHERE id > ? ORDER BY id LIMIT ?");
  stmt->bind(1, after.id);
  stmt->bind(2, static_cast<std::int64_t>(std::max(limit, 0)));
  std::vector<domain::OutboxEvent> events;
  while (stmt->step()) {
    domain::OutboxEvent e;
    e.id = stmt->column_int64(0);
    e.position = {0, e.id};
    e.at = stmt->column_text(1);
    e.type = stmt->column_text(2);
    e.entity = stmt->column_text(3);
    e.record_id = stmt->column_int64(4);
    e.actor_user_id = stmt->column_int64(5);
    e.payload = Json::parse(stmt->column_text(6));
    events.push_back(std::move(e));
  }
  return events;
}

domain::OutboxPosition SqliteJobQueue::outbox_head() {
  auto stmt = db_.prepare("SELECT coalesce(max(id), 0) FROM outbox_events");
  stmt->step();
  return {0, stmt->column_int64(0)};
}

std::vector<domain::JobChange> SqliteJobQueue::changes_after(domain::JobChangePosition after,
                                                             int limit) {
  auto stmt = db_.prepare(fmt::format(
      "SELECT {}, change_seq FROM jobs WHERE change_seq > ?1 OR (change_seq = ?1 AND id > ?2) "
      "ORDER BY change_seq, id LIMIT ?3",
      kJobColumns));
  stmt->bind(1, after.major);
  stmt->bind(2, after.minor);
  stmt->bind(3, static_cast<std::int64_t>(std::max(limit, 0)));
  std::vector<domain::JobChange> changes;
  while (stmt->step()) {
    domain::JobChange change;
    change.job = decode_job(*stmt);
    change.position = {stmt->column_int64(18), change.job.id};
    changes.push_back(std::move(change));
  }
  return changes;
}

domain::JobChangePosition SqliteJobQueue::change_head() {
  auto stmt =
      db_.prepare("SELECT change_seq, id FROM jobs ORDER BY change_seq DESC, id DESC LIMIT 1");
  if (!stmt->step()) return {};
  return {stmt->column_int64(0), stmt->column_int64(1)};
}

int SqliteJobQueue::prune_done_jobs(std::int64_t finished_before_ms, int limit) {
  auto stmt = db_.prepare(
      "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' "
      "AND finished_at < ? LIMIT ?)");
  stmt->bind(1, finished_before_ms);
  stmt->bind(2, static_cast<std::int64_t>(std::max(limit, 0)));
  stmt->run();
  return db_.changes();
}

int SqliteJobQueue::prune_outbox(domain::OutboxPosition up_to, const std::string& before_stamp,
                                 int limit) {
  // Ids and stamps grow together, so the oldest rows are the lowest ids: walk the key.
  auto stmt = db_.prepare(
      "DELETE FROM outbox_events WHERE id IN (SELECT id FROM outbox_events WHERE id <= ? "
      "AND at < ? ORDER BY id LIMIT ?)");
  stmt->bind(1, up_to.id);
  stmt->bind(2, std::string_view(before_stamp));
  stmt->bind(3, static_cast<std::int64_t>(std::max(limit, 0)));
  stmt->run();
  return db_.changes();
}

}  // namespace relais::storage::sqlite
