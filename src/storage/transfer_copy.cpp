#include "storage/transfer_copy.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "storage/database_url.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_transfer.hpp"
#include "storage/sqlite/sqlite_error.hpp"
#include "storage/sqlite/sqlite_transfer.hpp"

namespace relais::storage {
namespace {

// SHA-256 over canonical rows: per value a tag byte, then (integers) 8 bytes big-endian,
// (booleans) one byte, (text, JSON) an 8-byte length and the bytes. Unambiguous, so two
// tables with the same checksum hold the same values.
class TableChecksum {
 public:
  TableChecksum() { crypto_hash_sha256_init(&state_); }

  void add(const TransferRow& row) {
    for (const auto& value : row) {
      if (std::holds_alternative<std::nullptr_t>(value)) {
        put_tag('N');
      } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
        put_tag('I');
        put_u64(static_cast<std::uint64_t>(*i));
      } else if (const auto* b = std::get_if<bool>(&value)) {
        put_tag('B');
        put_tag(*b ? '1' : '0');
      } else {
        const auto& s = std::get<std::string>(value);
        put_tag('S');
        put_u64(s.size());
        crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(s.data()),
                                  s.size());
      }
    }
  }

  std::string hex() {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state_, digest.data());
    std::array<char, 33> text{};
    sodium_bin2hex(text.data(), text.size(), digest.data(), 16);
    return std::string(text.data());
  }

 private:
  void put_tag(char tag) {
    const auto byte = static_cast<unsigned char>(tag);
    crypto_hash_sha256_update(&state_, &byte, 1);
  }
  void put_u64(std::uint64_t v) {
    std::array<unsigned char, 8> bytes{};
    for (int i = 7; i >= 0; --i) {
      bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(v & 0xff);
      v >>= 8;
    }
    crypto_hash_sha256_update(&state_, bytes.data(), bytes.size());
  }

  crypto_hash_sha256_state state_{};
};

// Reads every row of `table` in key order, batch by batch, handing each batch to `sink`.
template <typename Sink>
std::int64_t for_each_batch(TransferDatabase& db, const TransferTable& table, std::size_t batch,
                            Sink sink) {
  if (table.max_batch_rows != 0) batch = std::min(batch, table.max_batch_rows);
  std::int64_t rows = 0;
  TransferValue after = nullptr;
  for (;;) {
    auto chunk = db.read_batch(table, after, batch);
    if (chunk.empty()) break;
    rows += static_cast<std::int64_t>(chunk.size());
    after = chunk.back()[0];
    const bool last = chunk.size() < batch;
    sink(chunk);
    if (last) break;
  }
  return rows;
}

Result<std::string> non_empty_tables(TransferDatabase& target) {
  std::string tables;
  for (const auto& table : transfer_tables()) {
    const std::int64_t rows = target.count_rows(table);
    if (rows == 0) continue;
    if (!tables.empty()) tables += ", ";
    tables += table.name + " (" + std::to_string(rows) + ")";
  }
  return tables;
}

Result<CopyReport> copy_checked(TransferDatabase& source, TransferDatabase& target,
                                const CopyOptions& options) {
  CopyReport report;
  const int version = source.schema_version();
  if (version == 0) return Error::bad_request("the source is not a Relais database (no schema)");
  RELAIS_ASSIGN_OR_RETURN(int target_version, target.migrate());
  if (target_version != version) {
    return Error::bad_request(
        "the source database is at schema version " + std::to_string(version) +
        " and this relais binary at " + std::to_string(target_version) +
        ": run `relais migrate` on the source first (or use the matching relais version)");
  }
  report.schema_version = version;
  RELAIS_ASSIGN_OR_RETURN(std::string occupied, non_empty_tables(target));
  if (!occupied.empty() && !options.force) {
    return Error::conflict("the target database is not empty: " + occupied +
                           "; migrate-data --force replaces its contents");
  }

  source.begin_read();
  target.begin_write();
  try {
    if (!occupied.empty()) target.clear_all();
    for (const auto& table : transfer_tables()) {
      TableCheck check{table.name};
      TableChecksum sum;
      check.source_rows = for_each_batch(source, table, options.batch_rows,
                                         [&](const std::vector<TransferRow>& rows) {
                                           for (const auto& row : rows) sum.add(row);
                                           target.write_batch(table, rows);
                                         });
      if (table.self_reference) {
        for_each_batch(source, table, options.batch_rows,
                       [&](const std::vector<TransferRow>& rows) {
                         target.write_self_references(table, rows);
                       });
      }
      check.source_checksum = sum.hex();
      report.tables.push_back(std::move(check));
      if (options.on_table) options.on_table(table.name, report.tables.back().source_rows);
    }
    std::map<std::string, std::int64_t> last_ids;
    for (const auto& table : transfer_tables()) {
      if (table.identity) last_ids[table.name] = source.last_issued_id(table);
    }
    target.finish(last_ids);
    // Verification: the target as its transaction would commit it, read back independently.
    bool all_match = true;
    for (auto& check : report.tables) {
      const TransferTable& table =
          *std::find_if(transfer_tables().begin(), transfer_tables().end(),
                        [&](const TransferTable& t) { return t.name == check.table; });
      TableSum sum = table_checksum(target, table, options.batch_rows);
      check.target_rows = sum.rows;
      check.target_checksum = std::move(sum.checksum);
      if (check.target_rows != target.count_rows(table)) check.target_rows = -1;
      all_match = all_match && check.matches();
    }
    if (all_match) {
      target.commit();
      report.committed = true;
    } else {
      target.rollback();
    }
  } catch (...) {
    try {
      target.rollback();
    } catch (const std::exception&) {
      // the connection is gone: its transaction with it
    }
    throw;
  }
  source.end_read();
  return report;
}

}  // namespace

TableSum table_checksum(TransferDatabase& db, const TransferTable& table, std::size_t batch_rows) {
  TableChecksum sum;
  TableSum result;
  result.rows = for_each_batch(db, table, batch_rows, [&](const std::vector<TransferRow>& rows) {
    for (const auto& row : rows) sum.add(row);
  });
  result.checksum = sum.hex();
  return result;
}

Result<CopyReport> copy_installation(TransferDatabase& source, TransferDatabase& target,
                                     const CopyOptions& options) {
  try {
    return copy_checked(source, target, options);
  } catch (const std::exception& e) {
    return Error::internal(std::string("copy failed, the target is unchanged: ") + e.what());
  }
}

Result<std::unique_ptr<TransferDatabase>> open_transfer_database(const std::string& url,
                                                                 bool create) {
  RELAIS_ASSIGN_OR_RETURN(DatabaseUrl db, parse_database_url(url));
  try {
    if (db.engine == Engine::kPostgres) {
      return std::unique_ptr<TransferDatabase>(std::make_unique<postgres::PgTransfer>(db.location));
    }
    return std::unique_ptr<TransferDatabase>(
        std::make_unique<sqlite::SqliteTransfer>(db.location, create));
  } catch (const postgres::PgError& e) {
    return Error::internal(e.what());
  } catch (const sqlite::SqliteError& e) {
    return Error::internal("cannot open the SQLite database " + db.location + ": " + e.what());
  }
}

}  // namespace relais::storage
