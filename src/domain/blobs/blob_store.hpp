// The blob store port: file contents (documents, mail attachments, exports) kept in the
// database, streamed in and out in chunks and addressed by their content, the lower-case hex
// SHA-256 of their bytes. One copy per content: writing bytes already stored stores nothing
// and returns the same digest. Decision 0014 (docs/decisions/0014-blob-store.md) says why it
// lives in the database and how deletion stays safe against a writer re-adding the content.
//
// Two halves:
// - BlobStore, beside the Store (not inside a unit of work): writing and reading run units of
//   their own, each bounded (a few chunks), so a 200 MB upload never holds SQLite's single
//   writer or one PostgreSQL transaction for its whole length, and never needs the whole file
//   in memory. A blob becomes visible only once every byte is stored and its digest was
//   recomputed over what the database holds.
// - BlobRefs, Transaction::blobs(): the references records hold, counted in the unit of work
//   of the record that takes or drops one. A blob nobody references is deleted by sweep()
//   once a grace period has passed since it was last written or released.
//
// Usage (issue 11's documents): upload with a BlobWriter, then in the unit that inserts the
// document row call tx.blobs().add_ref(digest); deleting the row calls release(digest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace relais::domain {

inline constexpr std::size_t kBlobDigestHexSize = 64;  // SHA-256 in lower-case hex

// True for 64 lower-case hex digits (what every digest looks like; anything else names no
// blob and is refused before any SQL).
bool is_blob_digest(std::string_view digest);

struct BlobInfo {
  std::string digest;  // lower-case hex SHA-256 of the content
  std::int64_t size = 0;
  std::int64_t refs = 0;           // references records hold (BlobRefs)
  std::int64_t created_at_ms = 0;  // epoch ms when the content was first stored
};

// A write in progress. Bytes go in with append() (any sizes; buffered up to one unit of
// work's worth, then stored), finish() stores the rest, verifies and publishes. Dropped
// without finish(), or after an error, what it staged is deleted (and if the process dies
// first, BlobStore::sweep() deletes it once the staging grace period has passed).
// Threading: one thread at a time; units of work run on the calling thread.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // kPayloadTooLarge once the blob would exceed BlobStore::max_blob_bytes() (the staged
  // bytes are discarded and the writer is done); kConflict when the upload was idle longer
  // than the staging grace period and a sweep took it.
  virtual Result<void> append(std::string_view bytes) = 0;
  // The stored blob: a new one, or the existing one with the same content (then what this
  // writer staged is deleted). Call once.
  virtual Result<BlobInfo> finish() = 0;
};

// Fills `buffer` with up to `capacity` bytes of the content; returns how many, 0 at the end.
using BlobSource = std::function<Result<std::size_t>(char* buffer, std::size_t capacity)>;
// Receives the bytes of a read in order, a chunk at a time (the view is valid during the
// call only). An error stops the read and is returned by read().
using BlobSink = std::function<Result<void>(std::string_view bytes)>;

// A byte range [offset, offset + length); length nullopt: to the end.
struct ByteRange {
  std::int64_t offset = 0;
  std::optional<std::int64_t> length;
};

struct BlobSweepReport {
  std::int64_t blobs_deleted = 0;    // unreferenced complete blobs
  std::int64_t uploads_deleted = 0;  // abandoned or discarded staging
  std::int64_t chunks_deleted = 0;
};

// What the store holds (an admin's "how much space do files take", tests).
struct BlobUsage {
  std::int64_t blobs = 0;    // complete blobs
  std::int64_t bytes = 0;    // their content
  std::int64_t pending = 0;  // staging or deleting rows (uploads running, deletions unfinished)
  std::int64_t chunks = 0;   // chunk rows of every state
};

// Thread-safe: any number of writers and readers at once, also in other processes on the
// same database. Every call blocks the calling thread (a worker, never I/O).
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  virtual std::int64_t max_blob_bytes() const = 0;

  virtual std::unique_ptr<BlobWriter> open_writer() = 0;
  // Writes everything `source` gives, through open_writer().
  Result<BlobInfo> write(const BlobSource& source);
  // Writes `bytes` (small contents, tests).
  Result<BlobInfo> write_bytes(std::string_view bytes);

  // The stored blob, nullopt when none has this digest (kBadRequest for a malformed one).
  virtual Result<std::optional<BlobInfo>> stat(const std::string& digest) = 0;
  // Streams the bytes of `range` to `sink`; returns how many were sent. kNotFound: no such
  // blob (or it was deleted while being read: a referenced blob never is); kBadRequest: the
  // range starts past the end (an empty range at the end is fine). A whole-blob read
  // recomputes the digest and fails with kInternal if the stored bytes do not match.
  virtual Result<std::int64_t> read(const std::string& digest, const ByteRange& range,
                                    const BlobSink& sink) = 0;
  // Reads a whole blob into memory (small contents, tests).
  Result<std::string> read_all(const std::string& digest);

  // Deletes unreferenced blobs older than the grace period, abandoned uploads, and what an
  // earlier sweep or a discarded writer left half-deleted. Each blob goes in units of a few
  // chunks. Safe to run from several servers at once.
  virtual Result<BlobSweepReport> sweep() = 0;

  virtual Result<BlobUsage> usage() = 0;
};

// References to blobs, inside one unit of work (Transaction::blobs()): taken and dropped in
// the same unit as the record that holds them, so the count is exactly the number of
// committed holders. Threading: belongs to its Transaction.
class BlobRefs {
 public:
  virtual ~BlobRefs() = default;
  virtual Result<std::optional<BlobInfo>> stat(const std::string& digest) = 0;
  // kNotFound when no complete blob has this digest (never written, or swept: an upload must
  // be referenced within the grace period of BlobStoreOptions).
  virtual Result<void> add_ref(const std::string& digest) = 0;
  // kNotFound as above; kConflict when the blob has no reference left to drop. The blob is
  // kept for the grace period from now, then swept unless referenced again.
  virtual Result<void> release(const std::string& digest) = 0;
};

}  // namespace relais::domain
