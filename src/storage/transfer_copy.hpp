// `relais migrate-data`: copies every transfer table (storage/transfer.hpp) from one
// database to another, possibly of the other engine, and proves the copy.
//
// The source is read from one snapshot (a live installation keeps serving meanwhile; the
// copy is the database as of the start). The target is migrated to the source's schema
// version first, must be empty (unless force: its rows are deleted in the same transaction),
// and receives everything in ONE transaction: rows in batches, in key order, table after
// table; then the identity sequences and search indexes are brought up to date. Before that
// transaction commits, every target table is read back and its row count and checksum
// compared with the source's; any difference rolls everything back.
//
// Checksum of a table: SHA-256 over its rows in key order, each value in canonical form
// (TransferValue) with a type tag and length, so that the same rows give the same checksum
// on either engine (JSON key order and spacing, 0/1 versus false/true do not matter).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/transfer.hpp"

namespace relais::storage {

struct TableCheck {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::string source_checksum;  // hex, first 128 bits of the SHA-256
  std::string target_checksum;
  bool matches() const { return source_rows == target_rows && source_checksum == target_checksum; }
};

struct CopyReport {
  int schema_version = 0;
  std::vector<TableCheck> tables;  // in copy order
  bool committed = false;          // false when a difference rolled the copy back
};

struct CopyOptions {
  bool force = false;
  std::size_t batch_rows = 1000;
  // Called after each table is written (on the calling thread), for progress output.
  std::function<void(const std::string& table, std::int64_t rows)> on_table;
};

// kBadRequest: the source has no Relais schema, or its version differs from this binary's
// (migrate it first); kConflict: the target is not empty and !force, or newer than the
// binary; kInternal: a database error (the target is rolled back).
Result<CopyReport> copy_installation(TransferDatabase& source, TransferDatabase& target,
                                     const CopyOptions& options);

// The checksum (as in TableCheck) and row count of `table` as `db` sees it now.
struct TableSum {
  std::int64_t rows = 0;
  std::string checksum;
};
TableSum table_checksum(TransferDatabase& db, const TransferTable& table,
                        std::size_t batch_rows = 1000);

}  // namespace relais::storage
