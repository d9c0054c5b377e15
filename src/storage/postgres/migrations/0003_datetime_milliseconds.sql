-- On SQLite, 0003 rewrote date-times stored without milliseconds. A PostgreSQL database is
-- created by this version of Relais, which always writes the one stamp form: nothing to do.
-- The file keeps the version numbers of both engines the same.
SELECT 1;
