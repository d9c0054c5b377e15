#include "storage/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "storage/sqlite/sqlite_error.hpp"

namespace relais::storage::sqlite {

Checkpointer::Checkpointer(const std::string& path, Connection& writer) : writer_(writer) {
  db_ = std::make_unique<Connection>(path, /*create=*/false);
  db_->exec("PRAGMA busy_timeout = 5000");
  db_->exec("PRAGMA synchronous = FULL");
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sqlite3_wal_autocheckpoint(writer_.handle(), kCheckpointPages);  // replaces our hook
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto* me = static_cast<Checkpointer*>(self);
  if (pages >= kInlinePages) {
    // The background thread is not keeping up: do what auto-checkpoint would have done.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kCheckpointPages) {
    {
      std::lock_guard lock(me->mutex_);
      me->wanted_ = true;
    }
    me->cv_.notify_one();
  }
  return SQLITE_OK;  // a failed checkpoint must never fail the commit
}

void Checkpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || wanted_; });
      if (stopping_) return;
      wanted_ = false;
    }
    const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("storage: background checkpoint failed: {}", sqlite3_errstr(rc));
    }
  }
}

}  // namespace relais::storage::sqlite
