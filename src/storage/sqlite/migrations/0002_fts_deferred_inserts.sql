-- Full-text index inserts move out of triggers: the storage engine queues them and writes
-- them together just before each COMMIT, in the same transaction (see fts_log.hpp). FTS5
-- flushes a new segment whenever a savepoint or statement journal opens, so a per-row
-- trigger cost one tiny segment (and its merges) per created record.
-- Update and delete triggers stay: the engine writes every queued insert before any UPDATE
-- or DELETE, so they always find the indexed values.
DROP TRIGGER contacts_fts_insert;
DROP TRIGGER companies_fts_insert;
DROP TRIGGER deals_fts_insert;
DROP TRIGGER activities_fts_insert;
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER notes_fts_insert;
DROP TRIGGER users_fts_insert;
DROP TRIGGER teams_fts_insert;
