-- The durable job queue (src/domain/jobs/job_queue.hpp) and the outbox consumers' cursors.
-- Times are epoch milliseconds (INTEGER): engine-neutral and compared as numbers.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  progress_done INTEGER,
  progress_total INTEGER,
  state_json TEXT,
  result_json TEXT,
  last_error TEXT,
  idempotency_key TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
-- What claim() walks: waiting jobs by due time, and running jobs by lease expiry. Done and
-- dead jobs (the bulk of the table over time) are in neither.
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE status IN ('queued', 'failed');
CREATE INDEX jobs_leased ON jobs(lease_until, id) WHERE status = 'running';
CREATE INDEX jobs_by_status ON jobs(status, kind, id);

CREATE TABLE outbox_consumers (
  name TEXT PRIMARY KEY,
  last_event_id INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Consumers keep their own cursors: the single processed_at mark is not used.
DROP INDEX outbox_events_pending;
