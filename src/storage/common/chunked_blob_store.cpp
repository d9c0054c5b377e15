#include "storage/common/chunked_blob_store.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/crypto.hpp"
#include "storage/common/blob_rows.hpp"

namespace relais::storage {
namespace {

std::int64_t system_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// What a whole or partial read delivers of chunk `seq` (offsets within the chunk).
struct Slice {
  std::int64_t from = 0;
  std::int64_t to = 0;
};

}  // namespace

BlobRows& blob_rows(domain::Transaction& tx) {
  auto* rows = dynamic_cast<BlobRows*>(&tx.blobs());
  if (rows == nullptr) throw std::logic_error("this engine's transactions have no blob rows");
  return *rows;
}

ChunkedBlobStore::ChunkedBlobStore(domain::Store& store, BlobStoreOptions options)
    : store_(store), options_(std::move(options)) {
  if (!options_.clock) options_.clock = system_clock_ms;
  options_.chunk_bytes = std::max<std::int64_t>(options_.chunk_bytes, 1);
  options_.sweep_batch = std::max(options_.sweep_batch, 1);
}

int ChunkedBlobStore::chunks_per_unit() const {
  return static_cast<int>(std::max<std::int64_t>(options_.unit_bytes / options_.chunk_bytes, 1));
}

Result<std::optional<domain::BlobInfo>> ChunkedBlobStore::stat(const std::string& digest) {
  std::optional<domain::BlobInfo> found;
  RELAIS_TRY(store_.read([&](domain::Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(found, tx.blobs().stat(digest));
    return Json();
  }));
  return found;
}

Result<std::int64_t> ChunkedBlobStore::read(const std::string& digest,
                                            const domain::ByteRange& range,
                                            const domain::BlobSink& sink) {
  if (!domain::is_blob_digest(digest)) return Error::bad_request("not a blob digest");
  std::optional<StoredBlob> blob;
  RELAIS_TRY(store_.read([&](domain::Transaction& tx) -> Result<Json> {
    blob = blob_rows(tx).find_complete(digest);
    return Json();
  }));
  if (!blob) return Error::not_found("no blob has this digest");
  if (range.offset < 0 || range.offset > blob->size) {
    return Error::bad_request("the range starts past the end of the blob");
  }
  if (range.length && *range.length < 0) return Error::bad_request("negative range length");
  const std::int64_t begin = range.offset;
  const std::int64_t end =
      range.length ? std::min(blob->size, begin + *range.length) : blob->size;  // exclusive
  if (begin == end) return std::int64_t{0};
  const bool whole = begin == 0 && end == blob->size;
  const std::int64_t chunk = blob->chunk_size;
  const std::int64_t first = begin / chunk;
  const std::int64_t last = (end - 1) / chunk + 1;  // exclusive
  crypto::Sha256Stream check;
  std::vector<std::string> chunks;
  for (std::int64_t seq = first; seq < last; seq += chunks_per_unit()) {
    const std::int64_t to = std::min<std::int64_t>(seq + chunks_per_unit(), last);
    RELAIS_TRY(store_.read([&](domain::Transaction& tx) -> Result<Json> {
      chunks = blob_rows(tx).read_chunks(blob->id, seq, to);
      return Json();
    }));
    if (static_cast<std::int64_t>(chunks.size()) != to - seq) {
      return Error::not_found("the blob was deleted while being read");
    }
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      const std::int64_t start = (seq + static_cast<std::int64_t>(i)) * chunk;
      const std::int64_t expected = std::min(chunk, blob->size - start);
      if (static_cast<std::int64_t>(chunks[i].size()) != expected) {
        return Error::internal("a stored blob chunk has the wrong size");
      }
      const Slice slice{std::max(begin, start) - start, std::min(end, start + expected) - start};
      const std::string_view bytes(chunks[i].data() + slice.from,
                                   static_cast<std::size_t>(slice.to - slice.from));
      if (whole) check.update(bytes);
      RELAIS_TRY(sink(bytes));
    }
  }
  if (whole && check.final_hex() != digest) {
    return Error::internal("a stored blob does not match its digest");
  }
  return end - begin;
}

Result<std::int64_t> ChunkedBlobStore::purge(std::int64_t id) {
  const int limit = 4 * chunks_per_unit();
  std::int64_t total = 0;
  for (;;) {
    std::int64_t deleted = 0;
    RELAIS_TRY(store_.write([&](domain::Transaction& tx) -> Result<Json> {
      deleted = blob_rows(tx).delete_chunks(id, limit);
      return Json();
    }));
    total += deleted;
    if (deleted < limit) break;
  }
  RELAIS_TRY(store_.write([&](domain::Transaction& tx) -> Result<Json> {
    blob_rows(tx).delete_blob(id);
    return Json();
  }));
  return total;
}

Result<domain::BlobUsage> ChunkedBlobStore::usage() {
  domain::BlobUsage usage;
  RELAIS_TRY(store_.read([&](domain::Transaction& tx) -> Result<Json> {
    usage = blob_rows(tx).usage();
    return Json();
  }));
  return usage;
}

Result<domain::BlobSweepReport> ChunkedBlobStore::sweep() {
  domain::BlobSweepReport report;
  const std::int64_t now = now_ms();
  const int batch = options_.sweep_batch;
  std::vector<std::pair<std::int64_t, bool>> picked;
  do {
    RELAIS_TRY(store_.write([&](domain::Transaction& tx) -> Result<Json> {
      picked = blob_rows(tx).mark_sweepable(now - options_.unreferenced_grace_ms,
                                            now - options_.staging_grace_ms, batch);
      return Json();
    }));
    for (const auto& [id, staging] : picked) {
      ++(staging ? report.uploads_deleted : report.blobs_deleted);
    }
  } while (static_cast<int>(picked.size()) == batch);
  // Every row now deleting: the ones just marked, and any an interrupted deletion (a killed
  // process, a writer that could not finish discarding) left behind.
  std::vector<std::int64_t> ids;
  do {
    RELAIS_TRY(store_.read([&](domain::Transaction& tx) -> Result<Json> {
      ids = blob_rows(tx).deleting(batch);
      return Json();
    }));
    for (const std::int64_t id : ids) {
      RELAIS_ASSIGN_OR_RETURN(std::int64_t chunks, purge(id));
      report.chunks_deleted += chunks;
    }
  } while (static_cast<int>(ids.size()) == batch);
  return report;
}

}  // namespace relais::storage
