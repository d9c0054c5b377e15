-- The blob store (src/domain/blobs/, src/storage/common/chunked_blob_store.hpp,
-- docs/decisions/0014-blob-store.md): file contents addressed by their SHA-256, in chunks.
-- A row is 'staging' while its upload runs (digest NULL), 'complete' once verified (digest
-- set: the only state readers see), 'deleting' while a sweep removes its chunks (digest NULL
-- again, so the same content may be stored anew meanwhile). AUTOINCREMENT: an id is never
-- reused, so a writer whose staging was swept cannot add chunks to someone else's blob.
-- Times are epoch milliseconds.
CREATE TABLE blobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  digest TEXT UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('staging', 'complete', 'deleting')),
  size INTEGER NOT NULL DEFAULT 0,
  chunk_size INTEGER NOT NULL,
  refs INTEGER NOT NULL DEFAULT 0 CHECK (refs >= 0),
  created_at INTEGER NOT NULL,
  touched_at INTEGER NOT NULL,
  CHECK ((state = 'complete') = (digest IS NOT NULL))
);
-- What a sweep looks for: unreferenced or staging rows by age, and rows being deleted.
CREATE INDEX blobs_sweep ON blobs(state, touched_at) WHERE refs = 0;
-- Chunk `seq` holds bytes [seq * chunk_size, ...) of its blob. The id is only the transfer
-- key (migrate-data copies tables by one key column). No ON DELETE CASCADE: a blob's chunks
-- are deleted a few per unit of work, then its row (the foreign key checks the order).
CREATE TABLE blob_chunks (
  id INTEGER PRIMARY KEY,
  blob_id INTEGER NOT NULL REFERENCES blobs(id),
  seq INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  UNIQUE (blob_id, seq)
);
