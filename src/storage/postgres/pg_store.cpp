#include "storage/postgres/pg_store.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <thread>

#include "storage/postgres/pg_migrations.hpp"
#include "storage/postgres/pg_transaction.hpp"

namespace relais::storage::postgres {
namespace {

// Attempts of one write unit before a serialization failure is reported (as "busy").
constexpr int kMaxAttempts = 30;

// Random back-off before attempt `attempt` (2, 3, ...): up to 1 ms·2^(n-2), at most 64 ms.
void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int cap_us = 1000 << std::min(attempt - 2, 6);
  std::this_thread::sleep_for(std::chrono::microseconds(random() % static_cast<unsigned>(cap_us)));
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& url,
                                               const StoreOptions& options) {
  const int size = options.pg_connections > 0 ? options.pg_connections : 1;
  std::unique_ptr<PgStore> store(new PgStore(url, size));
  try {
    auto first = store->acquire();
    RELAIS_ASSIGN_OR_RETURN(int version, migrate_database(*first, options.migrate));
    (void)version;
    store->give_back(std::move(first));
  } catch (const PgError& e) {
    return Error::internal(std::string("cannot open the PostgreSQL database: ") + e.what());
  }
  return store;
}

PgStore::~PgStore() { listener_.stop(); }

domain::Subscription PgStore::subscribe(domain::Topic topic, domain::SignalHandler handler) {
  domain::Subscription subscription = signals_.subscribe(topic, std::move(handler));
  // Bounded: with the database unreachable the listener goes on trying in the background,
  // and subscribers fall back on their polls until it connects.
  if (!listener_.start(std::chrono::seconds(5))) {
    spdlog::warn("PostgreSQL listener: not connected yet; change signals are delayed");
  }
  return subscription;
}

std::unique_ptr<PgConnection> PgStore::acquire() {
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
  }
  try {
    return std::make_unique<PgConnection>(url_);
  } catch (...) {
    std::lock_guard lock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void PgStore::give_back(std::unique_ptr<PgConnection> connection) {
  std::lock_guard lock(mutex_);
  if (connection != nullptr && connection->healthy()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;  // dropped: the next acquire opens a fresh one
  }
  available_.notify_one();
}

Result<Json> PgStore::read(const domain::UnitOfWork& work) { return run(work, Mode::kRead); }
Result<Json> PgStore::write(const domain::UnitOfWork& work) { return run(work, Mode::kWrite); }
Result<Json> PgStore::write_row_locked(const domain::UnitOfWork& work) {
  return run(work, Mode::kRowLockedWrite);
}

Result<Json> PgStore::run(const domain::UnitOfWork& work, Mode mode) {
  const char* begin = mode == Mode::kRead    ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                      : mode == Mode::kWrite ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                             : "BEGIN ISOLATION LEVEL READ COMMITTED";
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) back_off(attempt);
    std::unique_ptr<PgConnection> db;
    try {
      db = acquire();
    } catch (const PgError& e) {
      spdlog::error("PostgreSQL: {}", e.what());
      if (attempt < 3) continue;
      return Error::internal("the database is unavailable");
    }
    bool committing = false;
    auto rollback = [&] {
      try {
        db->discard_deferred();
        db->exec("ROLLBACK");
      } catch (const PgError&) {
        // broken connection: give_back drops it
      }
    };
    try {
      db->defer(begin);  // sent with the unit's first statement: one round trip fewer
      Result<Json> result = Error::internal();
      domain::PendingSignals local_signals;
      {
        PgTransaction tx(*db, mode != Mode::kRead);
        result = work(tx);
        if (result.ok()) local_signals = tx.local_signals();
      }
      if (!result.ok()) {
        rollback();
        give_back(std::move(db));
        return result;
      }
      committing = true;
      db->exec("COMMIT");
      give_back(std::move(db));
      local_signals.publish_to(signals_);
      return result;
    } catch (const PgError& e) {
      const bool lost = !db->healthy() || e.is_connection_failure();
      if (!lost) rollback();
      give_back(std::move(db));
      if (lost && committing) {
        spdlog::error("PostgreSQL connection lost during COMMIT: {}", e.what());
        return Error::internal(
            "the database connection was lost while saving: the change may not "
            "have been saved");
      }
      if ((e.is_retryable() || lost) && attempt < kMaxAttempts) continue;
      if (e.is_constraint() || e.is_data_exception()) return error_from_pg(e);
      if (e.is_retryable()) return Error::internal("the database is busy; try again");
      spdlog::error("PostgreSQL: {} (SQLSTATE {})", e.what(), e.sqlstate());
      return Error::internal("database error");
    } catch (const std::exception& e) {
      rollback();
      give_back(std::move(db));
      spdlog::error("unit of work failed: {}", e.what());
      return Error::internal();
    }
  }
}

}  // namespace relais::storage::postgres
