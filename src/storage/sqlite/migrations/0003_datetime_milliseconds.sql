-- Every stored date-time now has one form, "YYYY-MM-DDTHH:MM:SS.sssZ", so that they sort and
-- compare correctly as text. Until now a date-time given by a user (activities.occurred_at)
-- was kept without ".000" when its milliseconds were zero, and "…:00Z" sorts after
-- "…:00.500Z". The server's own stamps (created_at, updated_at, closed_at, …) always had them.
UPDATE activities SET occurred_at = substr(occurred_at, 1, 19) || '.000Z'
WHERE occurred_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
