-- Failed sign-in counters shared by every `relais serve` process on this database (an
-- in-memory counter let each server, and each restart, grant a fresh budget). One row per
-- throttle key: a hash of (account, client address) or of a client address alone; the
-- attempted e-mail is never stored in clear. Rows whose last failure is older than the
-- throttle's memory are pruned (index on last_failure_at).
CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL  -- epoch milliseconds
) WITHOUT ROWID;
CREATE INDEX login_throttle_last_failure ON login_throttle(last_failure_at);

-- Sessions expire after a period without use (sliding) as well as at expires_at. last_seen_at
-- is refreshed at most every few minutes, not on every request. Sessions signed in before this
-- migration count as seen now.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE kind = 'session';
