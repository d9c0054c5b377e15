-- The order jobs change in, for the progress stream (GET /api/v1/jobs/stream): every insert
-- and update of a job sets change_seq to one more than the highest so far (the job queue's
-- statements do it; the single writer commits in that order), so "the jobs changed since
-- position (change_seq, id)" is one walk of this index. Rows written before this migration
-- keep 0: before every later change.
ALTER TABLE jobs ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_changes ON jobs(change_seq, id);
