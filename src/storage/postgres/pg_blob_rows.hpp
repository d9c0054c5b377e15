// storage::BlobRows (and so domain::BlobRefs) over one PostgreSQL connection, inside the
// transaction of the unit of work that owns it (tables: migrations/0009_blobs.sql). Chunks
// travel as binary parameters and results (no hex form: docs/benchmarks.md). Concurrent
// units touching the same blob row (a sweep marking it, a writer re-adding its content, a
// record referencing it) conflict under SERIALIZABLE and the store runs the loser again.
// Threading: belongs to one PgTransaction, used by its thread only.
#pragma once

#include "storage/common/blob_rows.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

class PgBlobRows final : public BlobRows {
 public:
  explicit PgBlobRows(PgConnection& db) : db_(db) {}

  Result<std::optional<domain::BlobInfo>> stat(const std::string& digest) override;
  Result<void> add_ref(const std::string& digest) override;
  Result<void> release(const std::string& digest) override;

  std::int64_t insert_staging(std::int64_t chunk_size, std::int64_t now_ms) override;
  bool touch_staging(std::int64_t id, std::int64_t size, std::int64_t now_ms) override;
  void insert_chunk(std::int64_t id, std::int64_t seq, std::string_view bytes) override;
  std::optional<StoredBlob> find_complete(const std::string& digest) override;
  std::vector<std::string> read_chunks(std::int64_t id, std::int64_t from_seq,
                                       std::int64_t to_seq) override;
  Result<bool> publish(std::int64_t id, const std::string& digest, std::int64_t size,
                       std::int64_t now_ms) override;
  void touch(std::int64_t id, std::int64_t now_ms) override;
  void mark_deleting(std::int64_t id) override;
  std::vector<std::pair<std::int64_t, bool>> mark_sweepable(std::int64_t unreferenced_before_ms,
                                                            std::int64_t staging_before_ms,
                                                            int limit) override;
  std::vector<std::int64_t> deleting(int limit) override;
  std::int64_t delete_chunks(std::int64_t id, int limit) override;
  void delete_blob(std::int64_t id) override;
  domain::BlobUsage usage() override;

 private:
  PgConnection& db_;
};

}  // namespace relais::storage::postgres
