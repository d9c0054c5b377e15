// Moves WAL checkpoints off the writer thread.
//
// SQLite's default auto-checkpoint runs inside the COMMIT that crosses 1000 WAL pages, so one
// unlucky batch (and every caller waiting on it) pays for copying the WAL into the database
// and its fsyncs. Instead the writer's WAL hook only signals this thread, which runs PASSIVE
// checkpoints on its own connection while the writer keeps committing. As a backstop (readers
// pinning old snapshots, a slow disk), the writer checkpoints inline once the WAL is much
// larger than the threshold, as SQLite would have.
//
// Durability is unchanged: a transaction is durable once its WAL frames are synced at COMMIT;
// checkpoints only copy already-durable pages.
//
// Threading: construct after the writer connection is configured, destroy before it closes.
// The hook runs on the writer thread; everything else on the checkpointer's own thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

class Checkpointer {
 public:
  static constexpr int kCheckpointPages = 1000;   // SQLite's default auto-checkpoint
  static constexpr int kInlinePages = 16 * 1000;  // the writer helps beyond this

  // Opens its own connection to `path`; installs the WAL hook on `writer`.
  Checkpointer(const std::string& path, Connection& writer);
  ~Checkpointer();  // stops the thread, restores SQLite's auto-checkpoint on the writer
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  static int on_commit(void* self, struct sqlite3* db, const char* schema, int pages);
  void run();

  Connection& writer_;
  std::unique_ptr<Connection> db_;  // used only by thread_
  std::mutex mutex_;
  std::condition_variable cv_;
  bool wanted_ = false;    // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace relais::storage::sqlite
