// A fixed set of threads running blocking work (handlers, database, file reads) off the I/O
// threads, fed by a bounded queue: when it is full, try_submit() refuses and the server
// answers 503 instead of queueing without limit.
//
// Threading: try_submit() may be called from any thread. stop() runs every task already
// queued, then joins; it is idempotent and also called by the destructor.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace relais::http {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue already holds max_queued tasks or the pool is stopping.
  bool try_submit(std::function<void()> task);
  void stop();

 private:
  void run();

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace relais::http
