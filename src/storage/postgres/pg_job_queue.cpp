#include "storage/postgres/pg_job_queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "storage/common/time_util.hpp"

namespace relais::storage::postgres {
namespace {

using domain::Job;
using domain::JobStatus;
using domain::OutboxPosition;

constexpr const char* kJobColumns =
    "id, kind, payload_json, status, attempts, max_attempts, run_at, lease_owner, lease_until, "
    "progress_done, progress_total, state_json, result_json, last_error, idempotency_key, "
    "created_at, updated_at, finished_at";

// The same list qualified by the table, for the claim's UPDATE ... FROM.
constexpr const char* kJobColumnsOfJ =
    "j.id, j.kind, j.payload_json, j.status, j.attempts, j.max_attempts, j.run_at, "
    "j.lease_owner, j.lease_until, j.progress_done, j.progress_total, j.state_json, "
    "j.result_json, j.last_error, j.idempotency_key, j.created_at, j.updated_at, j.finished_at";

Json json_column(const PgResult& r, int row, int column) {
  if (r.is_null(row, column)) return nullptr;
  return Json::parse(r.text(row, column));
}

std::string text_column(const PgResult& r, int row, int column) {
  return std::string(r.text(row, column));  // "" for NULL
}

Job decode_job(const PgResult& r, int row) {
  Job job;
  job.id = r.int64(row, 0);
  job.kind = text_column(r, row, 1);
  job.payload = json_column(r, row, 2);
  job.status = domain::parse_job_status(r.text(row, 3)).value_or(JobStatus::kQueued);
  job.attempts = static_cast<int>(r.int64(row, 4));
  job.max_attempts = static_cast<int>(r.int64(row, 5));
  job.run_at_ms = r.int64(row, 6);
  job.lease_owner = text_column(r, row, 7);
  job.lease_until_ms = r.int64(row, 8);
  if (!r.is_null(row, 9)) job.progress = domain::JobProgress{r.int64(row, 9), r.int64(row, 10)};
  job.state = json_column(r, row, 11);
  job.result = json_column(r, row, 12);
  job.last_error = text_column(r, row, 13);
  job.idempotency_key = text_column(r, row, 14);
  job.created_at_ms = r.int64(row, 15);
  job.updated_at_ms = r.int64(row, 16);
  job.finished_at_ms = r.int64(row, 17);
  return job;
}

SqlValue json_or_null(const Json& value) {
  return value.is_null() ? SqlValue(nullptr) : SqlValue(value.dump());
}

std::string kinds_json(const std::vector<std::string>& kinds) {
  Json array = Json::array();
  for (const auto& k : kinds) array.push_back(k);
  return array.dump();
}

// xid8 travels as its decimal text; transaction ids stay far below 2^63.
std::int64_t parse_xid8(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// A bigint[] parameter in its text form: "{1,2,3}".
std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string array = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    array += (i == 0 ? "" : ",") + std::to_string(ids[i]);
  }
  return array + "}";
}

Error lease_lost(std::int64_t id) {
  return Error::conflict(fmt::format("job {} is no longer leased to this worker", id));
}

Result<void> one_row_or_lease_lost(const PgResult& r, std::int64_t id) {
  if (r.affected() == 1) return {};
  return lease_lost(id);
}

}  // namespace

Result<std::int64_t> PgJobQueue::enqueue(const domain::NewJob& job) {
  if (job.kind.empty()) return Error::field("kind", "a job needs a kind");
  if (job.max_attempts < 1) return Error::field("max_attempts", "must be at least 1");
  const std::int64_t now = now_epoch_ms();
  // A key already used: DO NOTHING returns no row. Under SERIALIZABLE, a key taken by a
  // transaction that committed after this one's snapshot is a serialization failure (the
  // store retries the unit), so the SELECT below always finds what it conflicted with.
  auto inserted = db_.query(
      "INSERT INTO jobs(kind, payload_json, status, attempts, max_attempts, run_at, "
      "idempotency_key, created_at, updated_at) VALUES ($1, $2, 'queued', 0, $3, $4, $5, $6, $6) "
      "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
      params(job.kind, job.payload.is_null() ? std::string("{}") : job.payload.dump(),
             static_cast<std::int64_t>(job.max_attempts), job.run_at_ms > 0 ? job.run_at_ms : now,
             job.idempotency_key.empty() ? SqlValue(nullptr) : SqlValue(job.idempotency_key), now));
  if (inserted.rows() == 1) {
    if (!notified_ && (job.run_at_ms <= now)) {
      // Idle workers on every server LISTEN (kJobsChannel): delivered at commit, not at all
      // if the unit rolls back, and once per unit however many jobs it enqueues.
      db_.query("SELECT pg_notify($1, '')", params(std::string(kJobsChannel)));
      notified_ = true;
    }
    return inserted.int64(0, 0);
  }
  auto existing =
      db_.query("SELECT id FROM jobs WHERE idempotency_key = $1", params(job.idempotency_key));
  if (existing.rows() != 1) return Error::internal("job insert ignored without a duplicate key");
  return existing.int64(0, 0);
}

std::vector<Job> PgJobQueue::claim(const domain::JobClaim& claim) {
  // As on SQLite, each half walks its partial index (jobs_due, jobs_leased) in order and
  // stops at the limit. FOR UPDATE SKIP LOCKED: rows another claim has locked are passed
  // over, not waited for, and the LIMIT counts only rows this claim locked. Under READ
  // COMMITTED, a row another claim leased and committed since this statement began is
  // re-checked on its newest version (now running, so no longer matching) and passed over
  // too; under REPEATABLE READ or SERIALIZABLE the same row is a serialization failure
  // instead (see pg_job_queue.hpp). Each half locks up to `limit` rows and the union keeps
  // the oldest `limit`: the others stay locked (skipped by other claims) until commit, and
  // the expired-lease half is empty but for killed workers.
  auto r = db_.query(
      fmt::format("WITH waiting AS ("
                  "  SELECT id, run_at AS due FROM jobs"
                  "  WHERE status IN ('queued', 'failed') AND run_at <= $3"
                  "  AND ($5 = 0 OR kind IN (SELECT jsonb_array_elements_text($6::jsonb)))"
                  "  ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),"
                  " expired AS ("
                  "  SELECT id, lease_until AS due FROM jobs"
                  "  WHERE status = 'running' AND lease_until <= $3"
                  "  AND ($5 = 0 OR kind IN (SELECT jsonb_array_elements_text($6::jsonb)))"
                  "  ORDER BY lease_until, id LIMIT $4 FOR UPDATE SKIP LOCKED),"
                  " picked AS ("
                  "  SELECT id FROM (SELECT * FROM waiting UNION ALL SELECT * FROM expired) AS d"
                  "  ORDER BY due, id LIMIT $4) "
                  "UPDATE jobs AS j SET status = 'running', lease_owner = $1, lease_until = $2, "
                  "attempts = j.attempts + 1, updated_at = $3 "
                  "FROM picked WHERE j.id = picked.id RETURNING {}",
                  kJobColumnsOfJ),
      params(claim.worker, claim.now_ms + claim.lease_ms, claim.now_ms,
             static_cast<std::int64_t>(std::max(claim.limit, 0)),
             static_cast<std::int64_t>(claim.kinds.size()), kinds_json(claim.kinds)));
  std::vector<Job> jobs;
  jobs.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) jobs.push_back(decode_job(r, row));
  // RETURNING gives no order: hand jobs out oldest first, as selected.
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.run_at_ms != b.run_at_ms ? a.run_at_ms < b.run_at_ms : a.id < b.id;
  });
  return jobs;
}

std::optional<std::int64_t> PgJobQueue::next_due_ms() {
  auto r = db_.query(
      "SELECT least((SELECT min(run_at) FROM jobs WHERE status IN ('queued', 'failed')),"
      " (SELECT min(lease_until) FROM jobs WHERE status = 'running'))");
  if (r.rows() != 1 || r.is_null(0, 0)) return std::nullopt;
  return r.int64(0, 0);
}

Result<void> PgJobQueue::complete(std::int64_t id, const std::string& worker, const Json& result,
                                  std::int64_t now_ms) {
  auto r = db_.query(
      "UPDATE jobs SET status = 'done', result_json = $1, lease_owner = NULL, "
      "lease_until = NULL, updated_at = $2, finished_at = $2 "
      "WHERE id = $3 AND status = 'running' AND lease_owner = $4",
      params(json_or_null(result), now_ms, id, worker));
  return one_row_or_lease_lost(r, id);
}

std::vector<std::int64_t> PgJobQueue::hold(const std::vector<std::int64_t>& ids,
                                           const std::string& worker) {
  if (ids.empty()) return {};
  // The row locks last until the unit ends, so a claim on another server passes over these
  // jobs even after their lease expires (SKIP LOCKED), and our complete_held cannot miss.
  // No SKIP LOCKED here: a concurrent claim whose snapshot still saw a job queued locks its
  // newest version while re-checking it (READ COMMITTED), and keeps that lock until it
  // commits — skipping the job then left it unrun until its lease expired (60 s pick-ups,
  // measured). Waiting is short (claims never wait: they skip) and cannot deadlock.
  const std::string array = bigint_array(ids);
  auto r = db_.query(
      "SELECT id FROM jobs WHERE id = ANY($1::bigint[]) AND status = 'running' "
      "AND lease_owner = $2 FOR UPDATE",
      params(array, worker));
  std::vector<std::int64_t> held;
  held.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) held.push_back(r.int64(row, 0));
  return held;
}

Result<void> PgJobQueue::complete_held(const std::vector<domain::JobCompletion>& jobs,
                                       const std::string& worker, std::int64_t now_ms) {
  if (jobs.empty()) return {};
  // One jsonb array of [id, result or null]: one statement for the whole batch.
  // The rows are found by their ids on the primary key ($4), like hold()'s: joined on the
  // JSON alone, the planner scanned every running job, and at SERIALIZABLE that read
  // conflicted with every other batch (22 of 46 batches retried, measured).
  Json rows = Json::array();
  std::vector<std::int64_t> ids;
  ids.reserve(jobs.size());
  for (const auto& job : jobs) {
    rows.push_back(Json::array({job.id, job.result}));
    ids.push_back(job.id);
  }
  auto r = db_.query(
      "UPDATE jobs AS j SET status = 'done', result_json = nullif(d.row -> 1, 'null'::jsonb), "
      "lease_owner = NULL, lease_until = NULL, updated_at = $2, finished_at = $2 "
      "FROM jsonb_array_elements($1::jsonb) AS d(row) "
      "WHERE j.id = ANY($4::bigint[]) AND j.id = (d.row ->> 0)::bigint "
      "AND j.status = 'running' AND j.lease_owner = $3",
      params(rows.dump(), now_ms, worker, bigint_array(ids)));
  if (r.affected() == static_cast<std::int64_t>(jobs.size())) return {};
  return Error::conflict(fmt::format("{} of {} jobs are no longer leased to this worker",
                                     static_cast<std::int64_t>(jobs.size()) - r.affected(),
                                     jobs.size()));
}

Result<void> PgJobQueue::checkpoint(std::int64_t id, const std::string& worker, const Json& state,
                                    std::optional<domain::JobProgress> progress,
                                    std::int64_t lease_until_ms, std::int64_t now_ms) {
  auto r = db_.query(
      "UPDATE jobs SET state_json = $1, progress_done = $2, progress_total = $3, "
      "lease_until = $4, updated_at = $5 "
      "WHERE id = $6 AND status = 'running' AND lease_owner = $7",
      params(json_or_null(state), progress ? SqlValue(progress->done) : SqlValue(nullptr),
             progress ? SqlValue(progress->total) : SqlValue(nullptr), lease_until_ms, now_ms, id,
             worker));
  return one_row_or_lease_lost(r, id);
}

Result<void> PgJobQueue::fail(std::int64_t id, const std::string& worker, const std::string& error,
                              std::optional<std::int64_t> retry_at_ms, std::int64_t now_ms) {
  auto r = db_.query(
      "UPDATE jobs SET status = $1, run_at = coalesce($2, run_at), last_error = $3, "
      "lease_owner = NULL, lease_until = NULL, updated_at = $4, finished_at = $5 "
      "WHERE id = $6 AND status = 'running' AND lease_owner = $7",
      params(std::string(retry_at_ms ? "failed" : "dead"),
             retry_at_ms ? SqlValue(*retry_at_ms) : SqlValue(nullptr), error, now_ms,
             retry_at_ms ? SqlValue(nullptr) : SqlValue(now_ms), id, worker));
  return one_row_or_lease_lost(r, id);
}

Result<void> PgJobQueue::release(std::int64_t id, const std::string& worker, std::int64_t now_ms) {
  auto r = db_.query(
      "UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), run_at = $1, "
      "lease_owner = NULL, lease_until = NULL, updated_at = $1 "
      "WHERE id = $2 AND status = 'running' AND lease_owner = $3",
      params(now_ms, id, worker));
  return one_row_or_lease_lost(r, id);
}

Result<Job> PgJobQueue::get(std::int64_t id) {
  auto r = db_.query(fmt::format("SELECT {} FROM jobs WHERE id = $1", kJobColumns), params(id));
  if (r.rows() != 1) return Error::not_found(fmt::format("no job with id {}", id));
  return decode_job(r, 0);
}

Result<domain::JobPage> PgJobQueue::list(const domain::JobListQuery& query) {
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
  // Newest first; both filters optional ($2/$3 empty text = any).
  const std::string status(query.status ? domain::to_string(*query.status) : "");
  auto r = db_.query(fmt::format("SELECT {} FROM jobs WHERE id < $1 AND ($2 = '' OR status = $2) "
                                 "AND ($3 = '' OR kind = $3) ORDER BY id DESC LIMIT $4",
                                 kJobColumns),
                     params(before, status, query.kind, static_cast<std::int64_t>(limit) + 1));
  domain::JobPage page;
  for (int row = 0; row < r.rows(); ++row) page.items.push_back(decode_job(r, row));
  if (page.items.size() > static_cast<std::size_t>(limit)) {
    page.items.pop_back();
    page.next_cursor = std::to_string(page.items.back().id);
  }
  return page;
}

Result<Job> PgJobQueue::retry(std::int64_t id, std::int64_t now_ms) {
  RELAIS_ASSIGN_OR_RETURN(Job job, get(id));
  if (job.status != JobStatus::kFailed && job.status != JobStatus::kDead) {
    return Error::conflict(fmt::format("job {} is {}: only failed or dead jobs can be retried", id,
                                       domain::to_string(job.status)));
  }
  db_.query(
      "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, finished_at = NULL, "
      "updated_at = $1 WHERE id = $2",
      params(now_ms, id));
  return get(id);
}

std::optional<OutboxPosition> PgJobQueue::consumer_cursor(const std::string& consumer) {
  // In a write unit the row stays locked until the unit ends: a second server's dispatcher
  // waits here, then (READ COMMITTED) reads the cursor the first one moved, or (SERIALIZABLE)
  // fails to serialise and is retried; it never takes the same events.
  auto r = db_.query(write_unit_ ? "SELECT last_event_tx::text, last_event_id "
                                   "FROM outbox_consumers WHERE name = $1 FOR UPDATE"
                                 : "SELECT last_event_tx::text, last_event_id "
                                   "FROM outbox_consumers WHERE name = $1",
                     params(consumer));
  if (r.rows() != 1) return std::nullopt;
  return OutboxPosition{parse_xid8(r.text(0, 0)), r.int64(0, 1)};
}

void PgJobQueue::set_consumer_cursor(const std::string& consumer, OutboxPosition position) {
  db_.query(
      "INSERT INTO outbox_consumers(name, last_event_tx, last_event_id, updated_at) "
      "VALUES ($1, $2::text::xid8, $3, $4) ON CONFLICT (name) DO UPDATE SET "
      "last_event_tx = excluded.last_event_tx, last_event_id = excluded.last_event_id, "
      "updated_at = excluded.updated_at",
      params(consumer, std::to_string(position.tx), position.id, now_epoch_ms()));
}

std::vector<domain::OutboxEvent> PgJobQueue::outbox_after(OutboxPosition after, int limit) {
  // (tx, id) order below the horizon (0004_jobs.sql): every event a consumer could ever find
  // at or below the last position returned here has committed and is in this result.
  auto r = db_.query(
      "SELECT e.tx::text, e.id, e.at, e.type, e.entity, e.record_id, e.actor_user_id, "
      "e.payload_json FROM outbox_events AS e "
      "WHERE (e.tx, e.id) > ($1::text::xid8, $2) AND e.tx < relais_outbox_horizon() "
      "ORDER BY e.tx, e.id LIMIT $3",
      params(std::to_string(after.tx), after.id, static_cast<std::int64_t>(std::max(limit, 0))));
  std::vector<domain::OutboxEvent> events;
  events.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    domain::OutboxEvent e;
    e.position = {parse_xid8(r.text(row, 0)), r.int64(row, 1)};
    e.id = e.position.id;
    e.at = text_column(r, row, 2);
    e.type = text_column(r, row, 3);
    e.entity = text_column(r, row, 4);
    e.record_id = r.int64(row, 5);
    e.actor_user_id = r.int64(row, 6);
    e.payload = json_column(r, row, 7);
    events.push_back(std::move(e));
  }
  return events;
}

OutboxPosition PgJobQueue::outbox_head() {
  auto r = db_.query(
      "SELECT e.tx::text, e.id FROM outbox_events AS e WHERE e.tx < relais_outbox_horizon() "
      "ORDER BY e.tx DESC, e.id DESC LIMIT 1");
  if (r.rows() != 1) return {};
  return {parse_xid8(r.text(0, 0)), r.int64(0, 1)};
}

std::vector<domain::JobChange> PgJobQueue::changes_after(domain::JobChangePosition after,
                                                         int limit) {
  // (change_tx, change_seq) order below the horizon (0008_job_changes.sql), as outbox_after.
  auto r = db_.query(fmt::format("SELECT {}, change_tx::text, change_seq FROM jobs "
                                 "WHERE (change_tx, change_seq) > ($1::text::xid8, $2) "
                                 "AND change_tx < relais_outbox_horizon() "
                                 "ORDER BY change_tx, change_seq LIMIT $3",
                                 kJobColumns),
                     params(std::to_string(after.major), after.minor,
                            static_cast<std::int64_t>(std::max(limit, 0))));
  std::vector<domain::JobChange> changes;
  changes.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    domain::JobChange change;
    change.job = decode_job(r, row);
    change.position = {parse_xid8(r.text(row, 18)), r.int64(row, 19)};
    changes.push_back(std::move(change));
  }
  return changes;
}

domain::JobChangePosition PgJobQueue::change_head() {
  auto r = db_.query(
      "SELECT change_tx::text, change_seq FROM jobs WHERE change_tx < relais_outbox_horizon() "
      "ORDER BY change_tx DESC, change_seq DESC LIMIT 1");
  if (r.rows() != 1) return {};
  return {parse_xid8(r.text(0, 0)), r.int64(0, 1)};
}

int PgJobQueue::prune_done_jobs(std::int64_t finished_before_ms, int limit) {
  auto r = db_.query(
      "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' "
      "AND finished_at < $1 LIMIT $2)",
      params(finished_before_ms, static_cast<std::int64_t>(std::max(limit, 0))));
  return static_cast<int>(r.affected());
}

int PgJobQueue::prune_outbox(OutboxPosition up_to, const std::string& before_stamp, int limit) {
  // Oldest first along the consumption order (its index); a position at or below every
  // cursor is below the horizon, so nothing pruned can still be missing a consumer.
  auto r = db_.query(
      "DELETE FROM outbox_events WHERE id IN (SELECT e.id FROM outbox_events AS e "
      "WHERE (e.tx, e.id) <= ($1::text::xid8, $2) AND e.at < $3 ORDER BY e.tx, e.id LIMIT $4)",
      params(std::to_string(up_to.tx), up_to.id, before_stamp,
             static_cast<std::int64_t>(std::max(limit, 0))));
  return static_cast<int>(r.affected());
}

}  // namespace relais::storage::postgres
