-- The event log (src/domain/events/event_log.hpp, docs/decisions/0012-event-log.md):
-- behavioural events of contacts and anonymous visitors, tens of millions of rows, so rows
-- are narrow: the name is interned (event_names), times are epoch milliseconds, properties
-- are JSON text or NULL when empty. No audit row and no outbox event per event.
CREATE TABLE event_names (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
-- name_id has no foreign key: names are never deleted, and the check would cost a lookup
-- per appended row. Deleting a contact deletes its events (and a merge moves them first:
-- Transaction::repoint_contact).
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
  visitor_id TEXT,
  name_id INTEGER NOT NULL,
  occurred_at INTEGER NOT NULL,
  properties TEXT
);
-- A contact's events newest first (the rowid, last in every SQLite index, breaks ties) and
-- its counts since a time.
CREATE INDEX events_by_contact ON events(contact_id, occurred_at) WHERE contact_id IS NOT NULL;
-- Bucket counts per name (a covering index: counting never reads the table) and retention
-- (per name, oldest first).
CREATE INDEX events_by_name ON events(name_id, occurred_at);
-- identify(): an anonymous visitor's events not yet linked; small, as most events are.
CREATE INDEX events_anonymous ON events(visitor_id) WHERE contact_id IS NULL;
