-- Every stored date-time now has one form, "YYYY-MM-DDTHH:MM:SS.sssZ", so that they sort and
-- compare correctly as text. Until now the domain wrote "…:SSZ" without ".000" whenever the
-- milliseconds were zero: date-times given by users (activities.occurred_at) and, before
-- set_effective_time, the times its rules stamped (occurred_at by default, closed_at,
-- stage_changed_at, completed_at). As text "…:00Z" sorts after "…:00.500Z". The storage
-- engine's own stamps (created_at, updated_at, audit, outbox, stage changes) always had them.
UPDATE activities SET occurred_at = substr(occurred_at, 1, 19) || '.000Z'
WHERE occurred_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE deals SET closed_at = substr(closed_at, 1, 19) || '.000Z'
WHERE closed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE deals SET stage_changed_at = substr(stage_changed_at, 1, 19) || '.000Z'
WHERE stage_changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE tasks SET completed_at = substr(completed_at, 1, 19) || '.000Z'
WHERE completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
