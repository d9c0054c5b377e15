// The PostgreSQL engine's TransferDatabase (storage/transfer.hpp): one connection of its
// own. Reads run in one REPEATABLE READ READ ONLY transaction (one snapshot while servers
// keep writing); writes in one transaction, as multi-row INSERTs, PostgreSQL's own columns
// (TransferTable::engine_only) filled as the list says. finish() moves each
// identity sequence past max(id); the search vectors are generated columns, filled by the
// inserts themselves.
#pragma once

#include <string>

#include "storage/postgres/pg_connection.hpp"
#include "storage/transfer.hpp"

namespace relais::storage::postgres {

class PgTransfer final : public TransferDatabase {
 public:
  // Throws PgError when it cannot connect.
  explicit PgTransfer(const std::string& url);

  const char* engine() const override { return "postgresql"; }
  int schema_version() override;
  Result<int> migrate() override;
  void begin_read() override;
  void end_read() override;
  void begin_write() override;
  void commit() override;
  void rollback() override;
  std::int64_t count_rows(const TransferTable& table) override;
  std::vector<TransferRow> read_batch(const TransferTable& table, const TransferValue& after,
                                      std::size_t limit) override;
  void clear_all() override;
  void write_batch(const TransferTable& table, const std::vector<TransferRow>& rows) override;
  void write_self_references(const TransferTable& table,
                             const std::vector<TransferRow>& rows) override;
  std::int64_t last_issued_id(const TransferTable& table) override;
  void finish(const std::map<std::string, std::int64_t>& last_ids) override;

 private:
  PgConnection db_;
};

}  // namespace relais::storage::postgres
