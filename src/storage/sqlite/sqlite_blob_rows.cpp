#include "storage/sqlite/sqlite_blob_rows.hpp"

#include <chrono>

#include "storage/sqlite/sqlite_error.hpp"

namespace relais::storage::sqlite {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::optional<StoredBlob> SqliteBlobRows::find_complete(const std::string& digest) {
  if (!domain::is_blob_digest(digest)) return std::nullopt;
  auto stmt = db_.prepare(
      "SELECT id, size, chunk_size, refs, created_at FROM blobs "
      "WHERE digest = ? AND state = 'complete'");
  stmt->bind(1, std::string_view(digest));
  if (!stmt->step()) return std::nullopt;
  return StoredBlob{stmt->column_int64(0), stmt->column_int64(1), stmt->column_int64(2),
                    stmt->column_int64(3), stmt->column_int64(4), digest};
}

Result<std::optional<domain::BlobInfo>> SqliteBlobRows::stat(const std::string& digest) {
  if (!domain::is_blob_digest(digest)) return Error::bad_request("not a blob digest");
  auto blob = find_complete(digest);
  if (!blob) return std::optional<domain::BlobInfo>();
  return std::optional<domain::BlobInfo>(blob->info());
}

Result<void> SqliteBlobRows::add_ref(const std::string& digest) {
  if (!domain::is_blob_digest(digest)) return Error::bad_request("not a blob digest");
  auto stmt =
      db_.prepare("UPDATE blobs SET refs = refs + 1 WHERE digest = ? AND state = 'complete'");
  stmt->bind(1, std::string_view(digest));
  stmt->run();
  if (db_.changes() == 0) return Error::not_found("no blob has this digest");
  return {};
}

Result<void> SqliteBlobRows::release(const std::string& digest) {
  auto blob = find_complete(digest);
  if (!blob) return Error::not_found("no blob has this digest");
  if (blob->refs == 0) return Error::conflict("the blob has no reference to release");
  auto stmt = db_.prepare("UPDATE blobs SET refs = refs - 1, touched_at = ? WHERE id = ?");
  stmt->bind(1, now_ms());
  stmt->bind(2, blob->id);
  stmt->run();
  return {};
}

std::int64_t SqliteBlobRows::insert_staging(std::int64_t chunk_size, std::int64_t now_ms) {
  auto stmt = db_.prepare(
      "INSERT INTO blobs(state, chunk_size, created_at, touched_at) VALUES ('staging', ?, ?, ?)");
  stmt->bind(1, chunk_size);
  stmt->bind(2, now_ms);
  stmt->bind(3, now_ms);
  stmt->run();
  return db_.last_insert_rowid();
}

bool SqliteBlobRows::touch_staging(std::int64_t id, std::int64_t size, std::int64_t now_ms) {
  auto stmt =
      db_.prepare("UPDATE blobs SET size = ?, touched_at = ? WHERE id = ? AND state = 'staging'");
  stmt->bind(1, size);
  stmt->bind(2, now_ms);
  stmt->bind(3, id);
  stmt->run();
  return db_.changes() == 1;
}

void SqliteBlobRows::insert_chunk(std::int64_t id, std::int64_t seq, std::string_view bytes) {
  auto stmt = db_.prepare("INSERT INTO blob_chunks(blob_id, seq, bytes) VALUES (?, ?, ?)");
  stmt->bind(1, id);
  stmt->bind(2, seq);
  stmt->bind_blob(3, bytes);
  stmt->run();
}

std::vector<std::string> SqliteBlobRows::read_chunks(std::int64_t id, std::int64_t from_seq,
                                                     std::int64_t to_seq) {
  auto stmt = db_.prepare(
      "SELECT seq, bytes FROM blob_chunks WHERE blob_id = ? AND seq >= ? AND seq < ? "
      "ORDER BY seq");
  stmt->bind(1, id);
  stmt->bind(2, from_seq);
  stmt->bind(3, to_seq);
  std::vector<std::string> chunks;
  chunks.reserve(static_cast<std::size_t>(to_seq - from_seq));
  for (std::int64_t expected = from_seq; stmt->step(); ++expected) {
    if (stmt->column_int64(0) != expected) break;  // a gap: the caller sees too few
    chunks.emplace_back(stmt->column_bytes(1));
  }
  return chunks;
}

Result<bool> SqliteBlobRows::publish(std::int64_t id, const std::string& digest, std::int64_t size,
                                     std::int64_t now_ms) {
  auto stmt = db_.prepare(
      "UPDATE blobs SET state = 'complete', digest = ?, size = ?, created_at = ?, "
      "touched_at = ? WHERE id = ? AND state = 'staging'");
  stmt->bind(1, std::string_view(digest));
  stmt->bind(2, size);
  stmt->bind(3, now_ms);
  stmt->bind(4, now_ms);
  stmt->bind(5, id);
  try {
    stmt->run();
  } catch (const SqliteError& e) {
    if (e.is_unique_violation()) return Error::conflict("a blob with this digest exists");
    throw;
  }
  return db_.changes() == 1;
}

void SqliteBlobRows::touch(std::int64_t id, std::int64_t now_ms) {
  auto stmt = db_.prepare("UPDATE blobs SET touched_at = max(touched_at, ?) WHERE id = ?");
  stmt->bind(1, now_ms);
  stmt->bind(2, id);
  stmt->run();
}

void SqliteBlobRows::mark_deleting(std::int64_t id) {
  auto stmt = db_.prepare("UPDATE blobs SET state = 'deleting', digest = NULL WHERE id = ?");
  stmt->bind(1, id);
  stmt->run();
}

std::vector<std::pair<std::int64_t, bool>> SqliteBlobRows::mark_sweepable(
    std::int64_t unreferenced_before_ms, std::int64_t staging_before_ms, int limit) {
  std::vector<std::pair<std::int64_t, bool>> picked;
  auto select = db_.prepare(
      "SELECT id, state = 'staging' FROM blobs WHERE refs = 0 AND "
      "((state = 'complete' AND touched_at < ?) OR (state = 'staging' AND touched_at < ?)) "
      "ORDER BY id LIMIT ?");
  select->bind(1, unreferenced_before_ms);
  select->bind(2, staging_before_ms);
  select->bind(3, std::int64_t{limit});
  while (select->step()) picked.emplace_back(select->column_int64(0), select->column_int64(1) != 0);
  for (const auto& [id, staging] : picked) mark_deleting(id);
  return picked;
}

std::vector<std::int64_t> SqliteBlobRows::deleting(int limit) {
  auto stmt = db_.prepare("SELECT id FROM blobs WHERE state = 'deleting' ORDER BY id LIMIT ?");
  stmt->bind(1, std::int64_t{limit});
  std::vector<std::int64_t> ids;
  while (stmt->step()) ids.push_back(stmt->column_int64(0));
  return ids;
}

std::int64_t SqliteBlobRows::delete_chunks(std::int64_t id, int limit) {
  auto stmt = db_.prepare(
      "DELETE FROM blob_chunks WHERE id IN "
      "(SELECT id FROM blob_chunks WHERE blob_id = ? ORDER BY seq LIMIT ?)");
  stmt->bind(1, id);
  stmt->bind(2, std::int64_t{limit});
  stmt->run();
  return db_.changes();
}

void SqliteBlobRows::delete_blob(std::int64_t id) {
  auto stmt = db_.prepare("DELETE FROM blobs WHERE id = ? AND state = 'deleting'");
  stmt->bind(1, id);
  stmt->run();
}

domain::BlobUsage SqliteBlobRows::usage() {
  auto stmt = db_.prepare(
      "SELECT count(*) FILTER (WHERE state = 'complete'), "
      "coalesce(sum(size) FILTER (WHERE state = 'complete'), 0), "
      "count(*) FILTER (WHERE state <> 'complete'), (SELECT count(*) FROM blob_chunks) "
      "FROM blobs");
  stmt->step();
  return {stmt->column_int64(0), stmt->column_int64(1), stmt->column_int64(2),
          stmt->column_int64(3)};
}

}  // namespace relais::storage::sqlite
