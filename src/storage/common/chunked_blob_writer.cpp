// ChunkedBlobStore's BlobWriter (see chunked_blob_store.hpp for the protocol).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <vector>

#include "common/crypto.hpp"
#include "storage/common/blob_rows.hpp"
#include "storage/common/chunked_blob_store.hpp"

namespace relais::storage {
namespace {

Error upload_expired() {
  return Error::conflict("the upload was idle too long and has been discarded");
}

class ChunkedBlobWriter final : public domain::BlobWriter {
 public:
  explicit ChunkedBlobWriter(ChunkedBlobStore& owner)
      : owner_(owner),
        chunk_(owner.options().chunk_bytes),
        unit_(chunk_ * owner.chunks_per_unit()) {
    pending_.reserve(static_cast<std::size_t>(unit_));
  }

  ~ChunkedBlobWriter() override {
    if (!done_) discard();
  }
  ChunkedBlobWriter(const ChunkedBlobWriter&) = delete;
  ChunkedBlobWriter& operator=(const ChunkedBlobWriter&) = delete;

  Result<void> append(std::string_view bytes) override {
    if (done_) return Error::conflict("this blob writer is finished");
    const std::int64_t max = owner_.max_blob_bytes();
    if (size_ + static_cast<std::int64_t>(bytes.size()) > max) {
      discard();
      return Error{ErrorCode::kPayloadTooLarge,
                   fmt::format("a file may hold at most {} bytes", max),
                   {},
                   Json{{"max_bytes", max}}};
    }
    sha_.update(bytes);
    size_ += static_cast<std::int64_t>(bytes.size());
    while (!bytes.empty()) {
      // Never more than one unit's worth in memory, however large the piece given.
      const std::size_t room = static_cast<std::size_t>(unit_) - pending_.size();
      const std::size_t take = std::min(room, bytes.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (pending_.size() == static_cast<std::size_t>(unit_)) RELAIS_TRY(flush());
    }
    return {};
  }

  Result<domain::BlobInfo> finish() override {
    if (done_) return Error::conflict("this blob writer is finished");
    RELAIS_TRY(flush());  // the last, partial chunk; the staging row even for an empty blob
    const std::string digest = sha_.final_hex();
    RELAIS_TRY(verify(digest));
    RELAIS_ASSIGN_OR_RETURN(auto published, publish(digest));
    done_ = true;
    if (published.second) {  // the content was already stored: ours goes
      auto purged = owner_.purge(id_);
      if (!purged.ok())
        spdlog::warn("blobs: discarding a duplicate upload: {}", purged.error().message);
    }
    return published.first;
  }

 private:
  // Stores the pending bytes as chunks in one write unit (creating the staging row first);
  // on failure the whole upload is discarded.
  Result<void> flush() {
    const std::int64_t count = (static_cast<std::int64_t>(pending_.size()) + chunk_ - 1) / chunk_;
    std::int64_t id = 0;
    auto stored = owner_.store().write([&](domain::Transaction& tx) -> Result<Json> {
      BlobRows& rows = blob_rows(tx);
      id = id_ != 0 ? id_ : rows.insert_staging(chunk_, owner_.now_ms());
      const auto staged = stored_ + static_cast<std::int64_t>(pending_.size());
      if (!rows.touch_staging(id, staged, owner_.now_ms())) return upload_expired();
      const std::string_view bytes(pending_);
      for (std::int64_t i = 0; i < count; ++i) {
        rows.insert_chunk(
            id, next_seq_ + i,
            bytes.substr(static_cast<std::size_t>(i * chunk_), static_cast<std::size_t>(chunk_)));
      }
      return Json();
    });
    if (!stored.ok()) {
      discard();
      return stored.error();
    }
    id_ = id;
    next_seq_ += count;
    stored_ += static_cast<std::int64_t>(pending_.size());
    pending_.clear();
    return {};
  }

  // Reads every staged chunk back and recomputes the digest over what the database holds.
  Result<void> verify(const std::string& digest) {
    crypto::Sha256Stream check;
    std::int64_t bytes = 0;
    std::vector<std::string> chunks;
    const int per_unit = owner_.chunks_per_unit();
    for (std::int64_t seq = 0; seq < next_seq_; seq += per_unit) {
      const std::int64_t to = std::min<std::int64_t>(seq + per_unit, next_seq_);
      auto read = owner_.store().read([&](domain::Transaction& tx) -> Result<Json> {
        chunks = blob_rows(tx).read_chunks(id_, seq, to);
        return Json();
      });
      if (!read.ok() || static_cast<std::int64_t>(chunks.size()) != to - seq) {
        discard();
        return read.ok() ? upload_expired() : read.error();
      }
      for (const auto& c : chunks) {
        check.update(c);
        bytes += static_cast<std::int64_t>(c.size());
      }
    }
    if (bytes != size_ || check.final_hex() != digest) {
      discard();
      return Error::internal("the stored bytes do not match what was written");
    }
    return {};
  }

  // Staging -> complete, or the existing blob with this content. Second: true when the
  // content existed (this writer's staging is now deleting).
  Result<std::pair<domain::BlobInfo, bool>> publish(const std::string& digest) {
    // Two writers of the same content may publish at once: the loser's unit fails on the
    // unique digest and its second attempt finds the winner's blob.
    for (int attempt = 0;; ++attempt) {
      bool expired = false;
      std::pair<domain::BlobInfo, bool> out;
      auto done = owner_.store().write([&](domain::Transaction& tx) -> Result<Json> {
        expired = false;
        BlobRows& rows = blob_rows(tx);
        const std::int64_t now = owner_.now_ms();
        if (auto existing = rows.find_complete(digest)) {
          rows.touch(existing->id, now);  // restarts its grace period: a sweep must wait
          rows.mark_deleting(id_);
          out = {existing->info(), true};
          return Json();
        }
        RELAIS_ASSIGN_OR_RETURN(bool published, rows.publish(id_, digest, size_, now));
        if (!published) {
          expired = true;
          return upload_expired();
        }
        out = {domain::BlobInfo{digest, size_, 0, now}, false};
        return Json();
      });
      if (done.ok()) return out;
      if (expired || done.error().code != ErrorCode::kConflict || attempt == 2) {
        discard();
        return done.error();
      }
    }
  }

  // Best effort: marks the staging deleting and deletes it; what fails here a sweep finds.
  void discard() noexcept {
    done_ = true;
    pending_.clear();
    if (id_ == 0) return;
    try {
      auto marked = owner_.store().write([&](domain::Transaction& tx) -> Result<Json> {
        blob_rows(tx).mark_deleting(id_);
        return Json();
      });
      if (marked.ok()) (void)owner_.purge(id_);
    } catch (const std::exception& e) {
      spdlog::warn("blobs: discarding an upload: {}", e.what());
    }
  }

  ChunkedBlobStore& owner_;
  const std::int64_t chunk_;
  const std::int64_t unit_;  // bytes per write unit, whole chunks
  crypto::Sha256Stream sha_;
  std::string pending_;  // bytes not stored yet, < unit_
  std::int64_t id_ = 0;  // the staging row, once the first unit stored it
  std::int64_t next_seq_ = 0;
  std::int64_t size_ = 0;    // bytes appended
  std::int64_t stored_ = 0;  // bytes in stored chunks
  bool done_ = false;
};

}  // namespace

std::unique_ptr<domain::BlobWriter> ChunkedBlobStore::open_writer() {
  return std::make_unique<ChunkedBlobWriter>(*this);
}

}  // namespace relais::storage
