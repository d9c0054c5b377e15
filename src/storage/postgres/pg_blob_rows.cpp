#include "storage/postgres/pg_blob_rows.hpp"

#include <chrono>

namespace relais::storage::postgres {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// An int8 column in binary form: eight bytes, most significant first.
std::int64_t binary_int8(std::string_view bytes) {
  std::uint64_t value = 0;
  for (const char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(value);
}

}  // namespace

std::optional<StoredBlob> PgBlobRows::find_complete(const std::string& digest) {
  if (!domain::is_blob_digest(digest)) return std::nullopt;
  auto r = db_.query(
      "SELECT id, size, chunk_size, refs, created_at FROM blobs "
      "WHERE digest = $1 AND state = 'complete'",
      params(digest));
  if (r.rows() == 0) return std::nullopt;
  return StoredBlob{r.int64(0, 0), r.int64(0, 1), r.int64(0, 2),
                    r.int64(0, 3), r.int64(0, 4), digest};
}

Result<std::optional<domain::BlobInfo>> PgBlobRows::stat(const std::string& digest) {
  if (!domain::is_blob_digest(digest)) return Error::bad_request("not a blob digest");
  auto blob = find_complete(digest);
  if (!blob) return std::optional<domain::BlobInfo>();
  return std::optional<domain::BlobInfo>(blob->info());
}

Result<void> PgBlobRows::add_ref(const std::string& digest) {
  if (!domain::is_blob_digest(digest)) return Error::bad_request("not a blob digest");
  auto r = db_.query("UPDATE blobs SET refs = refs + 1 WHERE digest = $1 AND state = 'complete'",
                     params(digest));
  if (r.affected() == 0) return Error::not_found("no blob has this digest");
  return {};
}

Result<void> PgBlobRows::release(const std::string& digest) {
  auto blob = find_complete(digest);
  if (!blob) return Error::not_found("no blob has this digest");
  if (blob->refs == 0) return Error::conflict("the blob has no reference to release");
  db_.query("UPDATE blobs SET refs = refs - 1, touched_at = $1 WHERE id = $2",
            params(now_ms(), blob->id));
  return {};
}

std::int64_t PgBlobRows::insert_staging(std::int64_t chunk_size, std::int64_t now_ms) {
  auto r = db_.query(
      "INSERT INTO blobs(state, chunk_size, created_at, touched_at) "
      "VALUES ('staging', $1, $2, $2) RETURNING id",
      params(chunk_size, now_ms));
  return r.int64(0, 0);
}

bool PgBlobRows::touch_staging(std::int64_t id, std::int64_t size, std::int64_t now_ms) {
  auto r =
      db_.query("UPDATE blobs SET size = $1, touched_at = $2 WHERE id = $3 AND state = 'staging'",
                params(size, now_ms, id));
  return r.affected() == 1;
}

void PgBlobRows::insert_chunk(std::int64_t id, std::int64_t seq, std::string_view bytes) {
  db_.query_binary("INSERT INTO blob_chunks(blob_id, seq, bytes) VALUES ($1, $2, $3::bytea)",
                   params(id, seq, std::string(bytes)), {false, false, true}, false);
}

std::vector<std::string> PgBlobRows::read_chunks(std::int64_t id, std::int64_t from_seq,
                                                 std::int64_t to_seq) {
  auto r = db_.query_binary(
      "SELECT seq, bytes FROM blob_chunks WHERE blob_id = $1 AND seq >= $2 AND seq < $3 "
      "ORDER BY seq",
      params(id, from_seq, to_seq), {}, true);
  std::vector<std::string> chunks;
  chunks.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    if (binary_int8(r.text(row, 0)) != from_seq + row) break;  // a gap: the caller sees too few
    chunks.emplace_back(r.text(row, 1));
  }
  return chunks;
}

Result<bool> PgBlobRows::publish(std::int64_t id, const std::string& digest, std::int64_t size,
                                 std::int64_t now_ms) {
  try {
    auto r = db_.query(
        "UPDATE blobs SET state = 'complete', digest = $1, size = $2, created_at = $3, "
        "touched_at = $3 WHERE id = $4 AND state = 'staging'",
        params(digest, size, now_ms, id));
    return r.affected() == 1;
  } catch (const PgAbortError&) {
    throw;  // the store runs the unit again
  } catch (const PgError& e) {
    if (e.is_unique_violation()) return Error::conflict("a blob with this digest exists");
    throw;
  }
}

void PgBlobRows::touch(std::int64_t id, std::int64_t now_ms) {
  db_.query("UPDATE blobs SET touched_at = greatest(touched_at, $1) WHERE id = $2",
            params(now_ms, id));
}

void PgBlobRows::mark_deleting(std::int64_t id) {
  db_.query("UPDATE blobs SET state = 'deleting', digest = NULL WHERE id = $1", params(id));
}

std::vector<std::pair<std::int64_t, bool>> PgBlobRows::mark_sweepable(
    std::int64_t unreferenced_before_ms, std::int64_t staging_before_ms, int limit) {
  auto r = db_.query(
      "WITH picked AS (SELECT id, state = 'staging' AS staging FROM blobs WHERE refs = 0 AND "
      "((state = 'complete' AND touched_at < $1) OR (state = 'staging' AND touched_at < $2)) "
      "ORDER BY id LIMIT $3) "
      "UPDATE blobs SET state = 'deleting', digest = NULL FROM picked "
      "WHERE blobs.id = picked.id RETURNING blobs.id, picked.staging",
      params(unreferenced_before_ms, staging_before_ms, std::int64_t{limit}));
  std::vector<std::pair<std::int64_t, bool>> picked;
  picked.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) picked.emplace_back(r.int64(row, 0), r.boolean(row, 1));
  return picked;
}

std::vector<std::int64_t> PgBlobRows::deleting(int limit) {
  auto r = db_.query("SELECT id FROM blobs WHERE state = 'deleting' ORDER BY id LIMIT $1",
                     params(std::int64_t{limit}));
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) ids.push_back(r.int64(row, 0));
  return ids;
}

std::int64_t PgBlobRows::delete_chunks(std::int64_t id, int limit) {
  auto r = db_.query(
      "DELETE FROM blob_chunks WHERE id IN "
      "(SELECT id FROM blob_chunks WHERE blob_id = $1 ORDER BY seq LIMIT $2)",
      params(id, std::int64_t{limit}));
  return r.affected();
}

void PgBlobRows::delete_blob(std::int64_t id) {
  db_.query("DELETE FROM blobs WHERE id = $1 AND state = 'deleting'", params(id));
}

domain::BlobUsage PgBlobRows::usage() {
  auto r = db_.query(
      "SELECT count(*) FILTER (WHERE state = 'complete'), "
      "coalesce(sum(size) FILTER (WHERE state = 'complete'), 0), "
      "count(*) FILTER (WHERE state <> 'complete'), (SELECT count(*) FROM blob_chunks) "
      "FROM blobs");
  return {r.int64(0, 0), r.int64(0, 1), r.int64(0, 2), r.int64(0, 3)};
}

}  // namespace relais::storage::postgres
