-- Failed sign-in counters shared by every `relais serve` process (see the SQLite 0005).
CREATE TABLE login_throttle (
  key text COLLATE "C" PRIMARY KEY,
  failures bigint NOT NULL,
  last_failure_at bigint NOT NULL  -- epoch milliseconds
);
CREATE INDEX login_throttle_last_failure ON login_throttle(last_failure_at);

-- Sessions expire after a period without use as well as at expires_at (epoch ms).
ALTER TABLE sessions ADD COLUMN last_seen_at bigint NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = (extract(epoch FROM now()) * 1000)::bigint
WHERE kind = 'session';
