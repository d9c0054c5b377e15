// The SQLite engine behind domain::Store.
//
// Writes: ONE writer connection owned by a dedicated thread. Callers enqueue units of work and
// block; the writer takes everything queued, opens one BEGIN IMMEDIATE, runs each unit inside
// its own SAVEPOINT (released on success, rolled back on error or exception, so one failing
// request never affects another), COMMITs once, and only then wakes every caller of the
// batch. One fsync is shared by the whole batch (group commit). Full-text index inserts are
// queued and written just before that COMMIT (fts_log.hpp).
// Reads: a pool of reader connections; each read() runs in a deferred transaction, i.e. on a
// consistent WAL snapshot, concurrently with the writer.
// Change signals (domain/signals.hpp) stay in this process: the units of a batch collect
// theirs, and the writer thread publishes those of the units that succeeded once COMMIT
// returned, after waking their callers. Other processes on the same file poll.
//
// Thread-safe. A unit of work must not call write()/read() on the same store (the writer
// would wait for itself).
#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/store.hpp"
#include "storage/open.hpp"
#include "storage/sqlite/checkpointer.hpp"
#include "storage/sqlite/fts_log.hpp"

namespace relais::storage::sqlite {

class Connection;

class SqliteStore final : public domain::Store {
 public:
  // Opens `path` (created when missing), migrating per options.migrate.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const StoreOptions& options);
  ~SqliteStore() override;  // drains queued writes, checkpoints the WAL, closes

  Result<Json> read(const domain::UnitOfWork& work) override;
  Result<Json> write(const domain::UnitOfWork& work) override;
  domain::Subscription subscribe(domain::Topic topic, domain::SignalHandler handler) override {
    return signals_.subscribe(topic, std::move(handler));
  }
  bool signals_reach_other_processes() const override { return false; }

 private:
  struct PendingWrite {
    const domain::UnitOfWork* work;
    std::promise<Result<Json>> done;
  };
  static constexpr std::size_t kMaxBatch = 512;

  SqliteStore() = default;
  void writer_loop();
  void run_batch(std::vector<PendingWrite*>& batch);

  domain::SignalHub signals_;           // declared first: subscriptions may outlive nothing else
  std::unique_ptr<Connection> writer_;  // used only by writer_thread_ once started
  FtsLog fts_log_;                      // the writer's deferred FTS inserts (writer thread)
  std::unique_ptr<Checkpointer> checkpointer_;  // WAL checkpoints off the writer thread

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;  // guarded by readers_mutex_

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<PendingWrite*> queue_;  // guarded by queue_mutex_
  bool stopping_ = false;            // guarded by queue_mutex_
  std::thread writer_thread_;
};

// Page-cache budget per connection, in KiB (docs/decisions/0006-memory-budget.md). The writer
// keeps a larger cache for imports and full-text index merges; readers find what they miss in
// the operating system's page cache.
inline constexpr int kWriterCacheKiB = 64 * 1024;
inline constexpr int kReaderCacheKiB = 16 * 1024;

// Applies the per-connection settings (WAL, synchronous=FULL, foreign keys, timeouts, cache,
// no memory-mapped I/O).
void configure_connection(Connection& db, bool reader);

}  // namespace relais::storage::sqlite
