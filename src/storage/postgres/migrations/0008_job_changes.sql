-- The order jobs change in, for the progress stream (GET /api/v1/jobs/stream). Sequence
-- values are handed out before commit, so like the outbox (0004_jobs.sql) a change is placed
-- by its writing transaction first: (change_tx, change_seq), read only below
-- relais_outbox_horizon(), so no change can ever appear behind a position a reader passed.
-- A trigger keeps both current on every update, whichever statement writes the row; an
-- insert takes them from the column defaults.
CREATE SEQUENCE jobs_change_seq;
ALTER TABLE jobs ADD COLUMN change_tx xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE jobs ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('jobs_change_seq');
ALTER SEQUENCE jobs_change_seq OWNED BY jobs.change_seq;
CREATE INDEX jobs_changes ON jobs(change_tx, change_seq);

CREATE FUNCTION relais_job_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.change_tx := pg_current_xact_id();
  NEW.change_seq := nextval('jobs_change_seq');
  RETURN NEW;
END
$$;
CREATE TRIGGER jobs_changed BEFORE UPDATE ON jobs
  FOR EACH ROW EXECUTE FUNCTION relais_job_changed();
