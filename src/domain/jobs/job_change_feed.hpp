// One poller per process that follows the jobs' change order (JobQueue::changes_after) and
// hands every change to each listener: the source of GET /api/v1/jobs/stream. It reads the
// database, not this process's memory, so a job run by another server or a `relais worker`
// shows the same (the stream served by A sees what B did).
//
// Cost: one read unit per poll_interval (250 ms) while at least one listener is subscribed,
// whatever their number; none while nobody listens (the thread sleeps). A listener resuming
// from an earlier position (an SSE client's Last-Event-ID) is caught up once by the feed's own
// thread before it joins the shared poll; a new one starts at the head.
// Where a notification could replace the poll: PostgreSQL already signals `relais_jobs` when
// a job becomes due; a NOTIFY on every job change (or the Store's LISTEN subscription) could
// wake this thread instead of the timer, which would stay as the fallback. On SQLite the
// writer is in-process for `serve`, but `relais worker` is another process: polling stays.
//
// Threading: subscribe() from any thread (also I/O threads: it never blocks on the
// database); listeners are called on the feed's thread only, one at a time. The Store must
// outlive the feed; the destructor stops the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "domain/jobs/job_queue.hpp"
#include "domain/store.hpp"

namespace relais::domain {

class JobChangeListener {
 public:
  virtual ~JobChangeListener() = default;
  // First call: where this listener's changes start (after it). False: forget the listener.
  virtual bool on_start(JobChangePosition position) = 0;
  // Changes after the last one given (or the start), in change order, each job once per call
  // in its current state. False: forget the listener.
  virtual bool on_changes(const std::vector<JobChange>& changes) = 0;
  // False once the listener is gone (its stream ended): it is dropped at the next poll.
  virtual bool alive() const = 0;
};

struct JobChangeFeedOptions {
  std::chrono::milliseconds poll_interval{250};
  int batch = 500;
  std::function<void(const std::string&)> on_error;  // a failed read; retried next poll
};

class JobChangeFeed {
 public:
  explicit JobChangeFeed(Store& store, JobChangeFeedOptions options = {});
  ~JobChangeFeed();
  JobChangeFeed(const JobChangeFeed&) = delete;
  JobChangeFeed& operator=(const JobChangeFeed&) = delete;

  // `after`: resume after that position; nullopt: only what changes from now on. Starts the
  // thread on first use.
  void subscribe(std::shared_ptr<JobChangeListener> listener,
                 std::optional<JobChangePosition> after);
  void stop();
  std::size_t listener_count() const;

 private:
  struct Subscriber {
    std::shared_ptr<JobChangeListener> listener;
    JobChangePosition position;  // the last change it was given (or its start)
  };
  struct Pending {
    std::shared_ptr<JobChangeListener> listener;
    std::optional<JobChangePosition> after;
  };

  void run();
  // Feed thread only.
  bool read_changes(JobChangePosition after, std::vector<JobChange>& out);
  void start(Pending pending);
  void deliver(const std::vector<JobChange>& changes);

  Store& store_;
  const JobChangeFeedOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> pending_;  // guarded by mutex_
  std::size_t active_count_ = 0;  // guarded by mutex_: subscribers_.size() for readers
  bool stopping_ = false;         // guarded by mutex_
  std::thread thread_;            // started under mutex_

  // Feed thread only.
  std::vector<Subscriber> subscribers_;
  JobChangePosition cursor_;  // the last change read by the shared poll
};

}  // namespace relais::domain
