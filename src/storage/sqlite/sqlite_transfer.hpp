// The SQLite engine's TransferDatabase (storage/transfer.hpp): one connection of its own.
// Reads run in one deferred transaction (a WAL snapshot: servers keep writing meanwhile);
// writes in one BEGIN IMMEDIATE. Rows go in with their ids (AUTOINCREMENT then continues
// after them by itself); finish() rebuilds every full-text index from the copied rows, since
// the engine, not a trigger, indexes new rows (migration 0002).
#pragma once

#include <memory>
#include <string>

#include "storage/sqlite/connection.hpp"
#include "storage/transfer.hpp"

namespace relais::storage::sqlite {

class SqliteTransfer final : public TransferDatabase {
 public:
  // Throws SqliteError when the file cannot be opened (or created, when `create`).
  SqliteTransfer(const std::string& path, bool create);

  const char* engine() const override { return "sqlite"; }
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
  Connection db_;
};

}  // namespace relais::storage::sqlite
