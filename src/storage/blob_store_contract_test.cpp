// Storage contract suite, part 5: the blob store (domain/blobs/blob_store.hpp over
// storage/common/chunked_blob_store.hpp), run against every engine (Sqlite/... and
// Postgres/... like the rest of StoreContractTest). Small chunks (1 KiB, 4 per unit) so that
// every path — several chunks, several units, a partial last chunk — runs on small data.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.hpp"
#include "domain/blobs/blob_store.hpp"
#include "storage/common/blob_rows.hpp"
#include "storage/common/chunked_blob_store.hpp"
#include "storage/store_contract.hpp"

namespace relais::storage::testing {
namespace {

using domain::ByteRange;
using domain::Transaction;

constexpr std::int64_t kChunk = 1024;
constexpr std::int64_t kHour = 3600LL * 1000;

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Bytes that differ from chunk to chunk and from one `seed` to another.
std::string pattern(std::size_t size, unsigned seed = 1) {
  std::string out(size, '\0');
  std::uint32_t x = 2463534242U ^ seed;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

// A clock that runs with the wall clock, shifted by `offset` (tests jump ahead of the
// grace periods).
struct TestClock {
  std::atomic<std::int64_t> offset{0};
  std::function<std::int64_t()> fn() {
    return [this] { return wall_ms() + offset.load(); };
  }
};

BlobStoreOptions small_chunks(TestClock& clock) {
  BlobStoreOptions o;
  o.chunk_bytes = kChunk;
  o.unit_bytes = 4 * kChunk;
  o.max_blob_bytes = 1 << 20;
  o.clock = clock.fn();
  return o;
}

class BlobContract {
 public:
  BlobContract(domain::Store& store, BlobStoreOptions options) : blobs(store, std::move(options)) {}
  ChunkedBlobStore blobs;

  std::string read(const std::string& digest, std::int64_t offset,
                   std::optional<std::int64_t> length = std::nullopt) {
    std::string out;
    auto r = blobs.read(digest, ByteRange{offset, length}, [&](std::string_view b) -> Result<void> {
      out.append(b);
      return {};
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (r.ok()) {
      EXPECT_EQ(r.value(), static_cast<std::int64_t>(out.size()));
    }
    return out;
  }
  domain::BlobUsage usage() {
    auto u = blobs.usage();
    EXPECT_TRUE(u.ok());
    return u.ok() ? u.value() : domain::BlobUsage{};
  }
};

TEST(BlobDigest, OnlyLowerCaseHexOfSha256Length) {
  EXPECT_TRUE(domain::is_blob_digest(crypto::sha256_hex("abc")));
  EXPECT_FALSE(domain::is_blob_digest(std::string(64, 'A')));
  EXPECT_FALSE(domain::is_blob_digest(std::string(63, 'a')));
  EXPECT_FALSE(domain::is_blob_digest(std::string(63, 'a') + "g"));
}

TEST_P(StoreContractTest, BlobsRoundTripEverySize) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  const std::vector<std::size_t> sizes{0,          1,          kChunk - 1,     kChunk,
                                       kChunk + 1, 4 * kChunk, 4 * kChunk + 7, 9 * kChunk + 333};
  std::int64_t total = 0;
  for (const std::size_t size : sizes) {
    const std::string bytes = pattern(size, static_cast<unsigned>(size));
    auto stored = b.blobs.write_bytes(bytes);
    ASSERT_TRUE(stored.ok()) << size << ": " << stored.error().message;
    EXPECT_EQ(stored.value().digest, crypto::sha256_hex(bytes)) << size;
    EXPECT_EQ(stored.value().size, static_cast<std::int64_t>(size));
    EXPECT_EQ(b.read(stored.value().digest, 0), bytes) << size;
    auto stat = b.blobs.stat(stored.value().digest);
    ASSERT_TRUE(stat.ok() && stat.value());
    EXPECT_EQ(stat.value()->size, static_cast<std::int64_t>(size));
    EXPECT_EQ(stat.value()->refs, 0);
    total += static_cast<std::int64_t>(size);
  }
  const auto usage = b.usage();
  EXPECT_EQ(usage.blobs, static_cast<std::int64_t>(sizes.size()));
  EXPECT_EQ(usage.bytes, total);
  EXPECT_EQ(usage.pending, 0);
  // Independent digests: SHA-256("") and SHA-256("abc") as every sha256sum prints them.
  EXPECT_EQ(b.blobs.write_bytes("").value().digest,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(b.blobs.write_bytes("abc").value().digest,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_P(StoreContractTest, BlobsWrittenInPiecesWithDefaultChunks) {
  // The production chunk size, a source handing out odd pieces.
  ChunkedBlobStore blobs(*store_, BlobStoreOptions{});
  const std::string bytes = pattern(3 * 256 * 1024 + 12345, 7);
  std::size_t at = 0;
  auto stored = blobs.write([&](char* buffer, std::size_t capacity) -> Result<std::size_t> {
    const std::size_t n = std::min({capacity, std::size_t{70001}, bytes.size() - at});
    std::copy_n(bytes.data() + at, n, buffer);
    at += n;
    return n;
  });
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored.value().digest, crypto::sha256_hex(bytes));
  auto back = blobs.read_all(stored.value().digest);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back.value() == bytes);
}

TEST_P(StoreContractTest, BlobsSameContentIsStoredOnce) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  const std::string bytes = pattern(5 * kChunk + 10);
  const auto first = b.blobs.write_bytes(bytes);
  const auto second = b.blobs.write_bytes(bytes);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value().digest, second.value().digest);
  EXPECT_EQ(second.value().created_at_ms, first.value().created_at_ms);  // the first copy's
  const auto usage = b.usage();
  EXPECT_EQ(usage.blobs, 1);
  EXPECT_EQ(usage.chunks, 6);  // one copy; the second upload's staging is gone
  EXPECT_EQ(usage.pending, 0);
}

TEST_P(StoreContractTest, BlobsReadByteRanges) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  const std::string bytes = pattern(10 * kChunk + 100);
  const std::string digest = b.blobs.write_bytes(bytes).value().digest;
  const std::vector<std::pair<std::int64_t, std::int64_t>> ranges{{0, 1},
                                                                  {0, kChunk},
                                                                  {1, kChunk},
                                                                  {kChunk - 1, 2},
                                                                  {kChunk, kChunk},
                                                                  {3 * kChunk + 5, 5 * kChunk},
                                                                  {10 * kChunk, 100},
                                                                  {10 * kChunk + 99, 1}};
  for (const auto& [offset, length] : ranges) {
    EXPECT_EQ(b.read(digest, offset, length), bytes.substr(offset, length))
        << offset << "+" << length;
  }
  EXPECT_EQ(b.read(digest, 7 * kChunk), bytes.substr(7 * kChunk));               // to the end
  EXPECT_EQ(b.read(digest, 10 * kChunk, 1'000'000), bytes.substr(10 * kChunk));  // clipped
  EXPECT_EQ(b.read(digest, static_cast<std::int64_t>(bytes.size())), "");        // empty at the end
  auto past = b.blobs.read(digest, ByteRange{static_cast<std::int64_t>(bytes.size()) + 1, {}},
                           [](std::string_view) -> Result<void> { return {}; });
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kBadRequest);
  auto missing = b.blobs.read(std::string(64, '0'), ByteRange{},
                              [](std::string_view) -> Result<void> { return {}; });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto malformed = b.blobs.stat("../etc/passwd");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::kBadRequest);
  // A sink's error stops the read and comes back.
  int calls = 0;
  auto stopped = b.blobs.read(digest, ByteRange{}, [&](std::string_view) -> Result<void> {
    ++calls;
    return Error::internal("client went away");
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().message, "client went away");
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreContractTest, BlobsOverTheSizeLimitAreRefusedAndLeaveNothing) {
  TestClock clock;
  BlobStoreOptions options = small_chunks(clock);
  options.max_blob_bytes = 10 * kChunk;
  BlobContract b(*store_, options);
  EXPECT_TRUE(b.blobs.write_bytes(pattern(10 * kChunk)).ok());  // exactly the limit
  auto writer = b.blobs.open_writer();
  ASSERT_TRUE(writer->append(pattern(6 * kChunk, 2)).ok());  // a unit stored already
  auto over = writer->append(pattern(4 * kChunk + 1, 3));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(over.error().details["max_bytes"], 10 * kChunk);
  EXPECT_FALSE(writer->finish().ok());  // the writer is done
  const auto usage = b.usage();
  EXPECT_EQ(usage.blobs, 1);
  EXPECT_EQ(usage.pending, 0);
  EXPECT_EQ(usage.chunks, 10);  // only the blob at the limit
}

TEST_P(StoreContractTest, BlobsAbortedUploadLeavesNothingVisible) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  const std::string bytes = pattern(9 * kChunk);
  {
    auto writer = b.blobs.open_writer();
    ASSERT_TRUE(writer->append(bytes).ok());  // two units stored, one chunk pending
    // While the upload runs its chunks are in the database, invisible.
    EXPECT_EQ(b.usage().blobs, 0);
    EXPECT_EQ(b.usage().pending, 1);
    auto stat = b.blobs.stat(crypto::sha256_hex(bytes));
    ASSERT_TRUE(stat.ok());
    EXPECT_FALSE(stat.value());
  }  // dropped without finish()
  auto stat = b.blobs.stat(crypto::sha256_hex(bytes));
  ASSERT_TRUE(stat.ok());
  EXPECT_FALSE(stat.value());
  EXPECT_EQ(b.usage().pending, 0);
  EXPECT_EQ(b.usage().chunks, 0);
}

TEST_P(StoreContractTest, BlobsStagingOfAKilledProcessIsSweptAfterItsGracePeriod) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  // What a process killed mid-upload leaves: a staging row and some chunks, never finished.
  write([&](Transaction& tx) -> Result<Json> {
    BlobRows& rows = blob_rows(tx);
    const std::int64_t id = rows.insert_staging(kChunk, wall_ms());
    for (int seq = 0; seq < 9; ++seq) rows.insert_chunk(id, seq, pattern(kChunk, seq));
    EXPECT_TRUE(rows.touch_staging(id, 9 * kChunk, wall_ms()));
    return Json();
  });
  EXPECT_EQ(b.usage().blobs, 0);
  auto early = b.blobs.sweep();
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early.value().uploads_deleted, 0);  // it may still be running
  EXPECT_EQ(b.usage().chunks, 9);
  clock.offset = 25 * kHour;
  auto late = b.blobs.sweep();
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_EQ(late.value().uploads_deleted, 1);
  EXPECT_EQ(late.value().chunks_deleted, 9);
  EXPECT_EQ(b.usage().pending, 0);
  EXPECT_EQ(b.usage().chunks, 0);
}

TEST_P(StoreContractTest, BlobsAWriterWhoseStagingWasSweptIsToldSo) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  auto writer = b.blobs.open_writer();
  ASSERT_TRUE(writer->append(pattern(4 * kChunk)).ok());  // one unit stored
  clock.offset = 25 * kHour;                              // the client went quiet for a day
  ASSERT_TRUE(b.blobs.sweep().ok());
  clock.offset = 0;
  auto more = writer->append(pattern(4 * kChunk, 2));
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code, ErrorCode::kConflict);
  EXPECT_EQ(b.usage().chunks, 0);
  EXPECT_EQ(b.usage().blobs, 0);
}

TEST_P(StoreContractTest, BlobsReferencesCountInTheRecordsUnitOfWork) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  const std::string digest = b.blobs.write_bytes(pattern(3 * kChunk)).value().digest;
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.blobs().add_ref(digest));
    RELAIS_TRY(tx.blobs().add_ref(digest));
    return Json();
  });
  // A unit that fails takes its reference with it.
  auto failed = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.blobs().add_ref(digest));
    return Error::validation("the document row was refused");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(b.blobs.stat(digest).value()->refs, 2);

  auto unknown = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.blobs().add_ref(std::string(64, 'f')));
    return Json();
  });
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  // Referenced, it survives any sweep.
  clock.offset = 1000 * kHour;
  ASSERT_TRUE(b.blobs.sweep().ok());
  EXPECT_TRUE(b.blobs.stat(digest).value());
  clock.offset = 0;
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.blobs().release(digest));
    RELAIS_TRY(tx.blobs().release(digest));
    return Json();
  });
  auto extra = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.blobs().release(digest));
    return Json();
  });
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error().code, ErrorCode::kConflict);
  // Released: kept for the grace period, then swept.
  clock.offset = kHour / 2;
  EXPECT_EQ(b.blobs.sweep().value().blobs_deleted, 0);
  EXPECT_TRUE(b.blobs.stat(digest).value());
  clock.offset = 2 * kHour;
  const auto swept = b.blobs.sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept.value().blobs_deleted, 1);
  EXPECT_EQ(swept.value().chunks_deleted, 3);
  EXPECT_FALSE(b.blobs.stat(digest).value());
  EXPECT_EQ(b.usage().chunks, 0);
  EXPECT_EQ(b.usage().pending, 0);
}

TEST_P(StoreContractTest, BlobsReAddedContentRestartsTheGracePeriod) {
  TestClock clock;
  BlobContract b(*store_, small_chunks(clock));
  const std::string bytes = pattern(2 * kChunk + 1);
  const std::string digest = b.blobs.write_bytes(bytes).value().digest;
  // 59 minutes later, unreferenced, it is uploaded again (a second document, same file)...
  clock.offset = 59 * 60 * 1000;
  ASSERT_TRUE(b.blobs.write_bytes(bytes).ok());
  // ... so a sweep two minutes later, past the first upload's grace, keeps it for the second
  // writer, who references it.
  clock.offset = 61 * 60 * 1000;
  EXPECT_EQ(b.blobs.sweep().value().blobs_deleted, 0);
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.blobs().add_ref(digest));
    return Json();
  });
  EXPECT_EQ(b.read(digest, 0), bytes);
}

TEST_P(StoreContractTest, BlobsConcurrentWritersOfTheSameContentStoreOneCopy) {
  auto second = GetParam().open(dir_->path());  // another server on the same database
  ASSERT_TRUE(second.ok()) << second.error().message;
  TestClock clock;
  BlobContract a(*store_, small_chunks(clock));
  BlobContract c(*second.value(), small_chunks(clock));
  constexpr int kRounds = 8;
  std::vector<std::string> contents;
  contents.reserve(kRounds);
  for (int i = 0; i < kRounds; ++i) contents.push_back(pattern(6 * kChunk + i, 100 + i));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      ChunkedBlobStore& blobs = t % 2 == 0 ? a.blobs : c.blobs;
      for (const auto& bytes : contents) {
        auto stored = blobs.write_bytes(bytes);
        if (!stored.ok() || stored.value().digest != crypto::sha256_hex(bytes)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto usage = a.usage();
  EXPECT_EQ(usage.blobs, kRounds);
  EXPECT_EQ(usage.pending, 0);
  EXPECT_EQ(usage.chunks, 7 * kRounds - 1);  // the first is exactly 6 chunks, the others 7
  for (const auto& bytes : contents) EXPECT_EQ(c.read(crypto::sha256_hex(bytes), 0), bytes);
}

TEST_P(StoreContractTest, BlobsSweepRacingWritersNeverLosesAReferencedBlob) {
  // Worst case: no grace period at all, a sweeper on another server running all the time.
  // A writer then may find its fresh upload swept before it references it (kNotFound, the
  // documented outcome past the grace period), but a blob whose reference was taken is never
  // deleted, and no unit ever fails otherwise.
  auto second = GetParam().open(dir_->path());
  ASSERT_TRUE(second.ok()) << second.error().message;
  TestClock clock;
  BlobStoreOptions options = small_chunks(clock);
  options.unreferenced_grace_ms = 0;
  BlobContract writer(*store_, options);
  BlobContract sweeper(*second.value(), options);
  const std::string bytes = pattern(5 * kChunk + 3, 9);
  const std::string digest = crypto::sha256_hex(bytes);
  std::atomic<bool> stop{false};
  std::atomic<int> sweep_errors{0};
  std::thread sweeping([&] {
    while (!stop) {
      if (!sweeper.blobs.sweep().ok()) ++sweep_errors;
    }
  });
  int referenced = 0;
  int other_errors = 0;
  for (int i = 0; i < 30; ++i) {
    auto stored = writer.blobs.write_bytes(bytes);
    if (!stored.ok()) {
      ++other_errors;
      continue;
    }
    auto ref = store_->write([&](Transaction& tx) -> Result<Json> {
      RELAIS_TRY(tx.blobs().add_ref(digest));
      return Json();
    });
    if (!ref.ok()) {
      if (ref.error().code != ErrorCode::kNotFound) ++other_errors;
      continue;
    }
    ++referenced;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // sweeps run meanwhile
    EXPECT_EQ(writer.read(digest, 0), bytes);
    ASSERT_TRUE(store_
                    ->write([&](Transaction& tx) -> Result<Json> {
                      RELAIS_TRY(tx.blobs().release(digest));
                      return Json();
                    })
                    .ok());
  }
  stop = true;
  sweeping.join();
  EXPECT_EQ(other_errors, 0);
  EXPECT_EQ(sweep_errors.load(), 0);
  EXPECT_GT(referenced, 0);
  clock.offset = 1;
  ASSERT_TRUE(sweeper.blobs.sweep().ok());
  const auto usage = writer.usage();
  EXPECT_EQ(usage.blobs, 0);
  EXPECT_EQ(usage.pending, 0);
  EXPECT_EQ(usage.chunks, 0);
}

}  // namespace
}  // namespace relais::storage::testing
