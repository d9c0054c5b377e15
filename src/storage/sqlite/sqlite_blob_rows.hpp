// storage::BlobRows (and so domain::BlobRefs) over one SQLite connection, inside the unit of
// work of the transaction that owns it (tables: migrations/0009_blobs.sql). Every write unit
// runs on the store's single writer: no locking of its own.
// Threading: belongs to one SqliteTransaction, used by its thread only.
#pragma once

#include "storage/common/blob_rows.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

class SqliteBlobRows final : public BlobRows {
 public:
  explicit SqliteBlobRows(Connection& db) : db_(db) {}

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
  Connection& db_;
};

}  // namespace relais::storage::sqlite
