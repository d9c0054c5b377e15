// The rows behind the blob store (migrations/0009_blobs.sql on both engines), one engine's
// SQL inside one unit of work: what ChunkedBlobStore (chunked_blob_store.hpp) drives, and
// the BlobRefs a Transaction hands out (every engine's Transaction::blobs() is a BlobRows).
//
// A blob row moves through three states: 'staging' (an upload in progress: digest NULL,
// chunks being added), 'complete' (digest set, visible, immutable), 'deleting' (digest NULL
// again, invisible, its chunks being removed a few at a time; the row goes last).
// Threading: belongs to its Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/blobs/blob_store.hpp"

namespace relais::storage {

struct StoredBlob {
  std::int64_t id = 0;
  std::int64_t size = 0;
  std::int64_t chunk_size = 0;  // every chunk but the last holds exactly this many bytes
  std::int64_t refs = 0;
  std::int64_t created_at_ms = 0;
  std::string digest;

  domain::BlobInfo info() const { return {digest, size, refs, created_at_ms}; }
};

class BlobRows : public domain::BlobRefs {
 public:
  // A new staging row; returns its id (never reused: ids only grow on both engines).
  virtual std::int64_t insert_staging(std::int64_t chunk_size, std::int64_t now_ms) = 0;
  // Records that the upload is alive and has `size` bytes staged; false when the row is no
  // longer staging (a sweep took it).
  virtual bool touch_staging(std::int64_t id, std::int64_t size, std::int64_t now_ms) = 0;
  virtual void insert_chunk(std::int64_t id, std::int64_t seq, std::string_view bytes) = 0;
  virtual std::optional<StoredBlob> find_complete(const std::string& digest) = 0;
  // The chunks [from_seq, to_seq) of blob `id`, in order (fewer when some are gone).
  virtual std::vector<std::string> read_chunks(std::int64_t id, std::int64_t from_seq,
                                               std::int64_t to_seq) = 0;
  // Staging -> complete. false when the row is no longer staging; kConflict when another
  // blob got the digest first (the unit must end: the caller runs a new one).
  virtual Result<bool> publish(std::int64_t id, const std::string& digest, std::int64_t size,
                               std::int64_t now_ms) = 0;
  // Restarts the grace period of a complete blob (a writer just stored the same content).
  virtual void touch(std::int64_t id, std::int64_t now_ms) = 0;
  // Any state -> deleting (digest cleared).
  virtual void mark_deleting(std::int64_t id) = 0;
  // Marks deleting, and returns, at most `limit` rows: complete ones without references
  // untouched since `unreferenced_before_ms`, and staging ones untouched since
  // `staging_before_ms`. Returns (id, was_staging).
  virtual std::vector<std::pair<std::int64_t, bool>> mark_sweepable(
      std::int64_t unreferenced_before_ms, std::int64_t staging_before_ms, int limit) = 0;
  // Rows in state deleting (left by an interrupted deletion), at most `limit`.
  virtual std::vector<std::int64_t> deleting(int limit) = 0;
  // Deletes at most `limit` chunks of blob `id`; returns how many.
  virtual std::int64_t delete_chunks(std::int64_t id, int limit) = 0;
  // Deletes the row of a deleting blob whose chunks are all gone.
  virtual void delete_blob(std::int64_t id) = 0;
  virtual domain::BlobUsage usage() = 0;
};

}  // namespace relais::storage
