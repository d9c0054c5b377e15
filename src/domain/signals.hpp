// Change signals: how a Store tells the code above it that something changed in the database,
// so idle job workers need not poll and caches need not wait for their TTL (issue 8, §2-3).
//
// A signal is a hint, never the data: it may arrive more than once, late, or for a change that
// was rolled back inside a committed unit (a savepoint), and a receiver re-reads the database.
// What a signal promises: after a unit of work that caused it commits, every subscriber of
// this Store object gets it; on an engine whose signals reach other processes
// (Store::signals_reach_other_processes(), PostgreSQL's LISTEN/NOTIFY) every other Store on
// the database gets it too, unless its feed was down meanwhile — then it gets one `missed`
// signal per topic when the feed is back, meaning "anything may have changed". So a
// subscriber that treats `missed` as "re-read everything" never stays stale for longer than
// the feed was down; the safety nets (the runner's idle poll, the auth cache's TTL) bound the
// rest.
//
// Threading: callbacks run on a thread of the engine (PostgreSQL: its listener thread, or the
// thread whose unit just committed; SQLite: the writer thread), possibly on several threads at
// once. They must be thread-safe, cheap and non-blocking (set a flag, wake a condition
// variable, drop a cache entry), must never run a unit of work, and must not subscribe or
// drop a subscription (that would deadlock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

namespace relais::domain {

enum class Topic {
  kJobsDue,  // a job became due now (enqueued, retried): idle workers should claim
  kOutbox,   // outbox events were written: dispatchers should read them (this process only)
  kAuth,     // a session, token or user changed: key "token:<stored hash>" | "user:<id>"
};

struct Signal {
  Topic topic = Topic::kJobsDue;
  std::string key;      // kAuth: what changed (never a secret: the stored hash); else empty
  bool missed = false;  // the feed was interrupted: anything of this topic may have changed
};

using SignalHandler = std::function<void(const Signal&)>;

// Auth signal keys (Topic::kAuth).
std::string auth_token_key(const std::string& token_hash);
std::string auth_user_key(std::int64_t user_id);

// A registration; dropping it (destruction or reset()) unsubscribes, and once that returns the
// callback is not running and will not run again. Move-only.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  ~Subscription() { reset(); }
  Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, {})) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      cancel_ = std::exchange(other.cancel_, {});
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void reset() {
    if (cancel_) std::exchange(cancel_, {})();
  }

 private:
  std::function<void()> cancel_;
};

// The subscribers of one Store, engine-neutral: the engines own one and publish into it.
// Thread-safe: publish() takes a shared lock (callbacks of several publishers may run at
// once), subscribing and unsubscribing an exclusive one (so they wait for running callbacks).
class SignalHub {
 public:
  SignalHub() = default;
  SignalHub(const SignalHub&) = delete;
  SignalHub& operator=(const SignalHub&) = delete;

  // The hub must outlive the returned Subscription.
  Subscription subscribe(Topic topic, SignalHandler handler);
  void publish(const Signal& signal) const;
  // One `missed` signal per topic (a feed came back after an interruption).
  void publish_missed() const;
  bool has_subscribers(Topic topic) const;

 private:
  struct Entry {
    std::uint64_t id;
    Topic topic;
    SignalHandler handler;
  };
  mutable std::shared_mutex mutex_;
  std::vector<Entry> entries_;  // guarded by mutex_
  std::uint64_t next_id_ = 0;   // guarded by mutex_
};

// What one unit of work signals, collected while it runs and published only after it commits.
// Belongs to the unit's thread.
class PendingSignals {
 public:
  void add(Topic topic, std::string key = {});
  bool empty() const { return signals_.empty(); }
  void clear() { signals_.clear(); }
  // Appends `other`'s signals (a batch of units sharing one commit), without duplicates.
  void merge(const PendingSignals& other);
  void publish_to(const SignalHub& hub) const;

 private:
  std::vector<Signal> signals_;  // distinct; few per unit
};

}  // namespace relais::domain
