// The PostgreSQL side of the Store's change signals (domain/signals.hpp): ONE libpq connection
// of its own (not from the pool) LISTENing on the channels below, on a thread that waits on
// its socket and publishes every notification into the store's SignalHub.
//
// - kJobsChannel (PgJobQueue): a unit enqueued a job due now (or retried one) → kJobsDue.
// - kAuthChannel: a session, token or user changed; payload "token:<stored hash>" |
//   "user:<id>" → kAuth with that key.
// A NOTIFY is sent inside the writing transaction and delivered at its commit, never if it
// rolls back. A notification sent while this connection is down is lost: so every time the
// connection is (re)established the listener publishes one `missed` signal per topic, and
// subscribers re-read what they watch. A dropped connection is retried with back-off
// (100 ms doubling to 5 s); a silent one is noticed by a `SELECT 1` after 30 s without traffic.
//
// Threading: start() and stop() from the owner (PgStore); callbacks run on the listener's
// thread. stop() is prompt: the thread also waits on an eventfd that stop() writes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "domain/signals.hpp"

namespace relais::storage::postgres {

inline constexpr const char* kAuthChannel = "relais_auth";

class PgListener {
 public:
  // `hub` must outlive the listener.
  PgListener(std::string url, const domain::SignalHub& hub);
  ~PgListener();  // stop()
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  // Starts the thread (once; later calls do nothing) and waits up to `wait` for the first
  // LISTEN to be in place, so a NOTIFY committed after start() returns is heard. Returns
  // whether it is; when not, the thread goes on trying in the background.
  bool start(std::chrono::milliseconds wait);
  void stop();

  // For tests and logs: the server process id of the listening connection (0 while down) and
  // how many times it connected.
  int backend_pid() const { return backend_pid_.load(); }
  std::int64_t connections() const { return connections_.load(); }

 private:
  void run();
  // Sleeps up to `ms`, or less when stop() is called; returns false when stopping.
  bool pause(int ms);

  const std::string url_;
  const domain::SignalHub& hub_;
  int wake_fd_ = -1;  // eventfd written by stop()
  std::atomic<bool> stopping_{false};
  std::atomic<int> backend_pid_{0};
  std::atomic<std::int64_t> connections_{0};
  std::mutex mutex_;
  std::condition_variable connected_;  // signalled on every connection
  bool started_ = false;               // guarded by mutex_
  std::thread thread_;
};

}  // namespace relais::storage::postgres
