// Deferred full-text index inserts for the writer's group commit.
//
// Why: FTS5 flushes its pending terms into a new on-disk segment every time a savepoint or
// statement journal opens while it is part of the transaction — i.e. after nearly every
// statement. Maintained by an AFTER INSERT trigger, that meant one tiny segment (plus the
// merges it causes) per inserted row, the largest cost of a create. Instead, inserts into
// <table>_fts are queued here and written together, in order, just before the batch's COMMIT
// (in the same transaction, so they are exactly as durable as the rows they index).
//
// Rules that keep the index exact (see SqliteTransaction and SqliteStore::run_batch):
// - flush() before any statement that may fire the FTS update/delete triggers (UPDATE,
//   DELETE) or read an FTS table (MATCH), so those always see every queued insert;
// - mark() when a unit of work starts, rollback_to() when its savepoint is rolled back: its
//   own queued inserts are dropped, and inserts of earlier units that were flushed inside it
//   (and so undone by SQLite) are queued again;
// - flush() then clear() around COMMIT; clear() when the whole transaction is rolled back.
//
// Threading: owned by the writer thread with its connection.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

class FtsLog {
 public:
  struct Mark {
    std::size_t size = 0;
    std::size_t flushed = 0;
  };

  // Queues one statement (an INSERT into an FTS table); `values` bind to ?1..?n of `sql`.
  void add(const std::string& sql, std::vector<SqlValue> values);
  void flush(Connection& db);
  bool pending() const { return flushed_ < ops_.size(); }

  Mark mark() const { return {ops_.size(), flushed_}; }
  void rollback_to(const Mark& m);
  void clear();

 private:
  struct Op {
    std::string sql;
    std::vector<SqlValue> values;
  };
  std::vector<Op> ops_;
  std::size_t flushed_ = 0;  // ops_[0, flushed_) are written in the open transaction
};

}  // namespace relais::storage::sqlite
