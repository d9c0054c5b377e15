// The PostgreSQL engine behind domain::Store.
//
// A bounded pool of connections serves reads and writes alike; callers block for a free one.
// Writes: each unit of work runs in its own SERIALIZABLE transaction, so rules that read
// before they write (a count checked before an insert, a throttle counter read and put back)
// behave as under SQLite's single writer — PostgreSQL detects every interleaving that could
// not have happened serially and fails one transaction with a serialization failure, which
// the store retries (a fresh Transaction, the unit run again from the start, with back-off).
// A unit of work must therefore have no effect outside the transaction it is given.
// Reads: REPEATABLE READ READ ONLY, one consistent snapshot per unit.
// Connections lost (server restart) are replaced; a write whose COMMIT got no answer is
// reported as failed-unknown, never retried (it may have committed).
// Change signals (domain/signals.hpp): kJobsDue and kAuth travel as NOTIFY and reach every
// PgStore on the database through its PgListener — one connection of its own, opened by the
// first subscribe() (tools that subscribe to nothing open none); kOutbox is published in this
// process after the commit of a unit that wrote events.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/store.hpp"
#include "storage/open.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_listener.hpp"

namespace relais::storage::postgres {

class PgStore final : public domain::Store {
 public:
  // Connects to `url` (a libpq URI, "postgresql://..."), migrating per options.migrate.
  static Result<std::unique_ptr<PgStore>> open(const std::string& url, const StoreOptions& options);
  ~PgStore() override;

  Result<Json> read(const domain::UnitOfWork& work) override;
  Result<Json> write(const domain::UnitOfWork& work) override;
  // READ COMMITTED: the unit locks every row its decisions read (job claims, FOR UPDATE
  // SKIP LOCKED), so concurrent claims pass over each other instead of failing to serialise.
  Result<Json> write_row_locked(const domain::UnitOfWork& work) override;
  domain::Subscription subscribe(domain::Topic topic, domain::SignalHandler handler) override;
  bool signals_reach_other_processes() const override { return true; }
  // Tests: the listener's connection (pg_terminate_backend of it).
  const PgListener& listener() const { return listener_; }

 private:
  // A connection borrowed from the pool, given back (or dropped when broken) on destruction.
  class Lease;
  PgStore(std::string url, int pool_size)
      : url_(std::move(url)), pool_size_(pool_size), listener_(url_, signals_) {}
  std::unique_ptr<PgConnection> acquire();
  void give_back(std::unique_ptr<PgConnection> connection);
  enum class Mode { kRead, kWrite, kRowLockedWrite };
  Result<Json> run(const domain::UnitOfWork& work, Mode mode);

  const std::string url_;
  const int pool_size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mutex_
  int open_ = 0;                                     // connections out or idle; guarded
  domain::SignalHub signals_;                        // before listener_: outlives its thread
  PgListener listener_;                              // started by the first subscribe()
};

}  // namespace relais::storage::postgres
