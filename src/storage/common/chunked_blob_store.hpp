// domain::BlobStore over any engine's domain::Store: a blob is a row of `blobs` plus its
// chunks in `blob_chunks` (migrations/0009_blobs.sql), written and read in bounded units of
// work through BlobRows (blob_rows.hpp), the engine's SQL reached as Transaction::blobs().
//
// Writing: chunks are buffered up to `unit_bytes`, then stored in one write unit under a
// staging row (SQLite's single writer is held for one unit, never the whole upload; the
// memory a writer holds is one unit's worth). finish() stores the last chunk, reads every
// chunk back in read units and recomputes the SHA-256 over what the database holds, then, in
// one unit, publishes the staging row under its digest, or, when that content is already
// stored, restarts the existing blob's grace period and deletes its own staging.
// Reading: the chunks of the range, `unit_bytes` at a time, each batch in its own read unit
// (no snapshot held while the sink works: a slow HTTP client holds no transaction).
// Deletion: see sweep() and decision 0014.
//
// Thread-safe (the Store is); a BlobWriter belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "domain/blobs/blob_store.hpp"
#include "domain/store.hpp"

namespace relais::storage {

struct BlobStoreOptions {
  std::int64_t max_blob_bytes = std::int64_t{1} << 30;  // 1 GiB
  // Bytes per stored chunk (docs/benchmarks.md: the measurements behind 256 KiB).
  std::int64_t chunk_bytes = 256 * 1024;
  // Bytes stored or read per unit of work, rounded down to whole chunks (at least one).
  std::int64_t unit_bytes = 1024 * 1024;
  // A staging upload untouched this long is abandoned: a sweep deletes it.
  std::int64_t staging_grace_ms = 24LL * 3600 * 1000;
  // A complete blob without references is kept this long after its last write or release:
  // the time a writer has to reference what it uploaded.
  std::int64_t unreferenced_grace_ms = 3600LL * 1000;
  // Blobs a sweep deletes per unit of work when picking, and chunks per deleting unit.
  int sweep_batch = 100;
  // Epoch milliseconds; tests move it.
  std::function<std::int64_t()> clock;
};

class ChunkedBlobStore final : public domain::BlobStore {
 public:
  // `store` must outlive this object and every writer it opened.
  ChunkedBlobStore(domain::Store& store, BlobStoreOptions options);

  std::int64_t max_blob_bytes() const override { return options_.max_blob_bytes; }
  std::unique_ptr<domain::BlobWriter> open_writer() override;
  Result<std::optional<domain::BlobInfo>> stat(const std::string& digest) override;
  Result<std::int64_t> read(const std::string& digest, const domain::ByteRange& range,
                            const domain::BlobSink& sink) override;
  Result<domain::BlobSweepReport> sweep() override;
  Result<domain::BlobUsage> usage() override;

  // Internals shared with the writer (chunked_blob_writer.cpp).
  domain::Store& store() { return store_; }
  const BlobStoreOptions& options() const { return options_; }
  std::int64_t now_ms() const { return options_.clock(); }
  int chunks_per_unit() const;
  // Deletes the chunks of a blob already marked deleting, then its row, in bounded units;
  // returns the chunks deleted.
  Result<std::int64_t> purge(std::int64_t id);

 private:
  domain::Store& store_;
  BlobStoreOptions options_;
};

// The engine's BlobRows behind tx.blobs(); throws std::logic_error for a Transaction of an
// engine without one.
class BlobRows;
BlobRows& blob_rows(domain::Transaction& tx);

}  // namespace relais::storage
