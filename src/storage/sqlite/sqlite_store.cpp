#include "storage/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_error.hpp"
#include "storage/sqlite/sqlite_transaction.hpp"

namespace relais::storage::sqlite {
namespace {

// Runs one unit of work, turning escaped exceptions into errors. Constraint violations that
// reach here are still client errors (e.g. a duplicate), not 500s.
Result<Json> run_unit(const domain::UnitOfWork& work, Connection& db, FtsLog* fts = nullptr,
                      domain::PendingSignals* signals = nullptr) {
  SqliteTransaction tx(db, fts, signals);
  try {
    return work(tx);
  } catch (const SqliteError& e) {
    if (e.is_constraint()) return error_from_constraint(e);
    spdlog::error("storage: unit of work failed: {}", e.what());
    return Error::internal("database error");
  } catch (const std::exception& e) {
    spdlog::error("storage: unit of work threw: {}", e.what());
    return Error::internal();
  }
}

}  // namespace

void configure_connection(Connection& db, bool reader) {
  db.exec("PRAGMA busy_timeout = 5000");
  // Durability: see docs/decisions/0002-sqlite-durability.md (WAL + FULL, group commit).
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA temp_store = MEMORY");
  // No memory-mapped I/O: every connection maps the file on its own, so the touched pages
  // of each mapping count in the server's RSS. With 256 MiB per connection that was 960 MiB
  // at 1M contacts, for no measurable gain over read() from the OS page cache. The page
  // caches below are the bounded memory. See docs/decisions/0006-memory-budget.md.
  db.exec("PRAGMA mmap_size = 0");
  // A negative cache_size is a size in KiB rather than a page count.
  db.exec("PRAGMA cache_size = -" + std::to_string(reader ? kReaderCacheKiB : kWriterCacheKiB));
  if (reader) db.exec("PRAGMA query_only = ON");
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const StoreOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore());
  try {
    store->writer_ = std::make_unique<Connection>(path, /*create=*/true);
    configure_connection(*store->writer_, false);
    RELAIS_TRY(migrate_database(*store->writer_, options.migrate));
    const int readers = options.reader_connections > 0 ? options.reader_connections : 1;
    for (int i = 0; i < readers; ++i) {
      auto reader = std::make_unique<Connection>(path, /*create=*/false);
      configure_connection(*reader, true);
      store->idle_readers_.push_back(reader.get());
      store->readers_.push_back(std::move(reader));
    }
  } catch (const SqliteError& e) {
    return Error::internal(std::string("cannot open the SQLite database: ") + e.what());
  }
  try {
    store->checkpointer_ = std::make_unique<Checkpointer>(path, *store->writer_);
  } catch (const SqliteError& e) {
    // Not fatal: SQLite's own auto-checkpoint on the writer stays in place.
    spdlog::warn("storage: no background checkpointer: {}", e.what());
  }
  store->writer_thread_ = std::thread([s = store.get()] { s->writer_loop(); });
  return store;
}

SqliteStore::~SqliteStore() {
  if (writer_thread_.joinable()) {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    writer_thread_.join();
  }
  checkpointer_.reset();
  readers_.clear();
  if (writer_) {
    try {
      writer_->exec("PRAGMA optimize");
      writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const SqliteError& e) {
      spdlog::warn("storage: checkpoint on close failed: {}", e.what());
    }
  }
}

Result<Json> SqliteStore::read(const domain::UnitOfWork& work) {
  Connection* db = nullptr;
  {
    std::unique_lock lock(readers_mutex_);
    readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
    db = idle_readers_.back();
    idle_readers_.pop_back();
  }
  Result<Json> result = Error::internal();
  try {
    db->exec("BEGIN");  // deferred: the snapshot is taken at the first read
    result = run_unit(work, *db);
    db->exec("COMMIT");
  } catch (const SqliteError& e) {
    spdlog::error("storage: read transaction failed: {}", e.what());
    try {
      db->exec("ROLLBACK");
    } catch (const SqliteError&) {
      // no transaction open
    }
    result = Error::internal("database error");
  }
  {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(db);
  }
  readers_cv_.notify_one();
  return result;
}

Result<Json> SqliteStore::write(const domain::UnitOfWork& work) {
  PendingWrite pending{&work, {}};
  auto future = pending.done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return Error::internal("the database is closing");
    queue_.push_back(&pending);
  }
  queue_cv_.notify_one();
  return future.get();
}

void SqliteStore::writer_loop() {
  std::vector<PendingWrite*> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been written
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void SqliteStore::run_batch(std::vector<PendingWrite*>& batch) {
  Connection& db = *writer_;
  std::vector<Result<Json>> results;
  results.reserve(batch.size());
  domain::PendingSignals signals;  // of the units that succeeded, published after COMMIT
  try {
    db.prepare("BEGIN IMMEDIATE")->run();
  } catch (const SqliteError& e) {
    spdlog::error("storage: cannot start a write transaction: {}", e.what());
    for (auto* p : batch) p->done.set_value(Error::internal("the database is busy"));
    return;
  }
  try {
    if (batch.size() == 1) {
      // A unit alone in its transaction needs no savepoint of its own: a failure rolls the
      // transaction back. Inside a savepoint SQLite copies every page the unit changes into
      // the statement journal first (and again for each savepoint the unit opens), which
      // made a 2,000-row import batch with a savepoint per row several times slower.
      domain::PendingSignals unit_signals;
      Result<Json> r = run_unit(*batch.front()->work, db, &fts_log_, &unit_signals);
      if (!r.ok()) {
        fts_log_.clear();
        try {
          db.exec("ROLLBACK");
        } catch (const SqliteError&) {
          // already rolled back by SQLite (e.g. after an I/O error)
        }
        batch.front()->done.set_value(std::move(r));
        return;
      }
      signals.merge(unit_signals);
      results.push_back(std::move(r));
    } else {
      // Prepared once per connection: a savepoint costs no SQL parsing per unit of work.
      auto savepoint = db.prepare("SAVEPOINT unit_of_work");
      auto rollback_to = db.prepare("ROLLBACK TO unit_of_work");
      auto release = db.prepare("RELEASE unit_of_work");
      for (auto* p : batch) {
        const FtsLog::Mark mark = fts_log_.mark();
        savepoint->run();
        savepoint->reset();
        domain::PendingSignals unit_signals;
        Result<Json> r = run_unit(*p->work, db, &fts_log_, &unit_signals);
        if (!r.ok()) {
          rollback_to->run();
          rollback_to->reset();
          fts_log_.rollback_to(mark);
        } else {
          signals.merge(unit_signals);
        }
        release->run();
        release->reset();
        results.push_back(std::move(r));
      }
    }
    fts_log_.flush(db);
    db.prepare("COMMIT")->run();
    fts_log_.clear();
  } catch (const SqliteError& e) {
    // Savepoint or commit failure (I/O error, disk full): nothing of this batch is durable.
    spdlog::error("storage: write batch failed: {}", e.what());
    fts_log_.clear();
    try {
      db.exec("ROLLBACK");
    } catch (const SqliteError&) {
      // already rolled back by SQLite
    }
    for (auto* p : batch) p->done.set_value(Error::internal("could not save the changes"));
    return;
  }
  // Only now, after COMMIT returned, is every change of the batch durable.
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
  signals.publish_to(signals_);
}

}  // namespace relais::storage::sqlite
