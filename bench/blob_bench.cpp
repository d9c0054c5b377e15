// Blob store benchmark on a real store (SQLite or PostgreSQL), through domain::BlobStore.
//
// 1. For each chunk size of `--chunk-kib` (a fresh blob each, incompressible bytes generated
//    on the fly, so the benchmark itself holds no file): write `--size-mb` MB (staging,
//    read-back verification and publish included), read it back whole (digest re-checked),
//    read 100 random 64 KiB ranges. MB/s are MiB of content per wall-clock second.
// 2. The process's peak resident set size after everything (VmHWM): what a 200 MB blob
//    costs in memory.
// 3. PostgreSQL only, `--compare-wire`: the same chunks written and read through libpq as
//    hex text and as binary parameters/results, into a table stored EXTENDED (compression
//    tried) or EXTERNAL — the measurements behind pg_blob_rows.cpp and 0009_blobs.sql.
//
//   build/bench/relais_blob_bench --db /tmp/blobs.db --size-mb 200
//   build/bench/relais_blob_bench --compare-wire
//     --db 'postgresql:///blobs?host=/tmp/pg&user=postgres'
//     (a fresh PostgreSQL database: migrated on open, never dropped)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "storage/common/chunked_blob_store.hpp"
#include "storage/open.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace {

using relais::Result;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Peak resident set size of this process, in MiB (Linux /proc).
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// Incompressible bytes, generated piece by piece.
class RandomSource {
 public:
  RandomSource(std::int64_t size, unsigned seed) : left_(size), rng_(seed) {}
  Result<std::size_t> operator()(char* buffer, std::size_t capacity) {
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(left_, capacity));
    for (std::size_t i = 0; i < n; i += 8) {
      const std::uint64_t x = rng_();
      std::memcpy(buffer + i, &x, std::min<std::size_t>(8, n - i));
    }
    left_ -= static_cast<std::int64_t>(n);
    return n;
  }

 private:
  std::int64_t left_;
  std::mt19937_64 rng_;
};

[[noreturn]] void die(const std::string& what) {
  fmt::print(stderr, "{}\n", what);
  std::exit(1);
}

void bench_store(relais::domain::Store& store, std::int64_t size, std::int64_t chunk_kib,
                 std::int64_t unit_kib, unsigned seed) {
  relais::storage::BlobStoreOptions options;
  options.chunk_bytes = chunk_kib * 1024;
  options.unit_bytes = unit_kib * 1024;
  options.max_blob_bytes = size + 1;
  relais::storage::ChunkedBlobStore blobs(store, options);
  const double mib = static_cast<double>(size) / (1024.0 * 1024.0);

  auto start = Clock::now();
  RandomSource source(size, seed);
  auto stored = blobs.write(std::ref(source));
  if (!stored.ok()) die("write: " + stored.error().message);
  const double write_s = seconds_since(start);

  start = Clock::now();
  std::int64_t seen = 0;
  auto read = blobs.read(stored->digest, {}, [&](std::string_view b) -> Result<void> {
    seen += static_cast<std::int64_t>(b.size());
    return {};
  });
  if (!read.ok() || seen != size) die("read failed");
  const double read_s = seconds_since(start);

  std::mt19937_64 rng(seed);
  constexpr int kRanges = 100;
  constexpr std::int64_t kRange = 64 * 1024;
  start = Clock::now();
  for (int i = 0; i < kRanges; ++i) {
    const std::int64_t offset = static_cast<std::int64_t>(rng() % (size - kRange));
    auto r = blobs.read(stored->digest, {offset, kRange},
                        [](std::string_view) -> Result<void> { return {}; });
    if (!r.ok()) die("range read failed");
  }
  const double range_ms = seconds_since(start) * 1000.0 / kRanges;
  fmt::print(
      "chunk {:>5} KiB unit {:>5} KiB: write {:7.1f} MiB/s ({:.2f} s), read {:7.1f} MiB/s "
      "({:.2f} s), 64 KiB range {:.2f} ms\n",
      chunk_kib, unit_kib, mib / write_s, write_s, mib / read_s, read_s, range_ms);
}

// Raw libpq: `count` chunks of `chunk` bytes into a fresh table, as hex text or binary.
void bench_wire(const std::string& url, std::int64_t chunk, int count, bool binary,
                const char* storage) {
  relais::storage::postgres::PgConnection db(url);
  db.exec("DROP TABLE IF EXISTS wire_bench");
  db.exec("CREATE TABLE wire_bench (seq bigint PRIMARY KEY, bytes bytea NOT NULL)");
  db.exec(fmt::format("ALTER TABLE wire_bench ALTER COLUMN bytes SET STORAGE {}", storage));
  RandomSource source(chunk * count, 42);
  std::string bytes(static_cast<std::size_t>(chunk), '\0');
  static constexpr char kHex[] = "0123456789abcdef";
  auto start = Clock::now();
  db.exec("BEGIN");
  for (int seq = 0; seq < count; ++seq) {
    (void)source(bytes.data(), bytes.size());
    using relais::storage::postgres::params;
    if (binary) {
      db.query_binary("INSERT INTO wire_bench VALUES ($1, $2::bytea)",
                      params(std::int64_t{seq}, bytes), {false, true}, false);
    } else {
      std::string hex = "\\x";
      hex.reserve(2 + 2 * bytes.size());
      for (const char c : bytes) {
        hex += kHex[static_cast<unsigned char>(c) >> 4];
        hex += kHex[static_cast<unsigned char>(c) & 0xf];
      }
      db.query("INSERT INTO wire_bench VALUES ($1, $2::bytea)", params(std::int64_t{seq}, hex));
    }
  }
  db.exec("COMMIT");
  const double write_s = seconds_since(start);
  start = Clock::now();
  std::int64_t seen = 0;
  for (int seq = 0; seq < count; seq += 4) {
    using relais::storage::postgres::params;
    auto r = binary ? db.query_binary(
                          "SELECT bytes FROM wire_bench WHERE seq >= $1 AND seq < $2 "
                          "ORDER BY seq",
                          params(std::int64_t{seq}, std::int64_t{seq + 4}), {}, true)
                    : db.query(
                          "SELECT bytes FROM wire_bench WHERE seq >= $1 AND seq < $2 "
                          "ORDER BY seq",
                          params(std::int64_t{seq}, std::int64_t{seq + 4}));
    for (int row = 0; row < r.rows(); ++row) {
      // Text form: what a caller must decode (2 hex digits a byte) — counted as is.
      seen += static_cast<std::int64_t>(r.text(row, 0).size());
    }
  }
  const double read_s = seconds_since(start);
  const double mib = static_cast<double>(chunk * count) / (1024.0 * 1024.0);
  fmt::print("wire {:6} storage {:8}: write {:7.1f} MiB/s, read {:7.1f} MiB/s ({} bytes read)\n",
             binary ? "binary" : "hex", storage, mib / write_s, mib / read_s, seen);
  db.exec("DROP TABLE wire_bench");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Blob store benchmark");
  std::string url;
  std::int64_t size_mb = 200;
  std::vector<std::int64_t> chunk_kib{256};
  std::int64_t unit_kib = 1024;
  bool compare_wire = false;
  app.add_option("--db", url, "sqlite:<path>, a path, or a PostgreSQL URI")->required();
  app.add_option("--size-mb", size_mb, "Blob size (MiB)")->capture_default_str();
  app.add_option("--chunk-kib", chunk_kib, "Chunk sizes to measure (KiB)")->delimiter(',');
  app.add_option("--unit-kib", unit_kib, "Bytes per unit of work (KiB)")->capture_default_str();
  app.add_flag("--compare-wire", compare_wire, "PostgreSQL: hex text versus binary chunks");
  CLI11_PARSE(app, argc, argv);
  const bool postgres = url.rfind("postgres", 0) == 0;
  if (!postgres && url.rfind("sqlite:", 0) != 0) url = "sqlite:" + url;

  auto store = relais::storage::open_store(url);
  if (!store.ok()) die(store.error().message);
  const std::int64_t size = size_mb * 1024 * 1024;
  unsigned seed = 1;
  for (const std::int64_t chunk : chunk_kib) bench_store(**store, size, chunk, unit_kib, seed++);
  fmt::print("peak RSS {:.1f} MiB for {} MiB blobs\n", peak_rss_mib(), size_mb);
  if (postgres && compare_wire) {
    const auto count = static_cast<int>(std::min<std::int64_t>(size, 64LL << 20) / (256 * 1024));
    for (const char* storage : {"EXTENDED", "EXTERNAL"}) {
      bench_wire(url, 256 * 1024, count, false, storage);
      bench_wire(url, 256 * 1024, count, true, storage);
    }
  }
  return 0;
}
