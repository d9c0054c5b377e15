// Storage contract suite, part 4: change signals (domain/signals.hpp) on every engine. A
// Store's own subscribers hear what its committed units signal — jobs due now, outbox events,
// auth keys — and nothing of a unit that rolled back. (Other processes: PostgreSQL only,
// postgres/pg_listener_test.cpp.)
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "domain/records/values.hpp"
#include "storage/store_contract.hpp"

namespace relais::storage::testing {
namespace {

using domain::Signal;
using domain::Topic;
using domain::Transaction;
using namespace std::chrono_literals;

// Collects the signals of one topic, ignoring `missed` ones (a feed coming up says that).
class Heard {
 public:
  Heard(domain::Store& store, Topic topic)
      : subscription_(store.subscribe(topic, [this](const Signal& s) {
          if (s.missed) return;
          {
            std::lock_guard lock(mutex_);
            keys_.push_back(s.key);
          }
          changed_.notify_all();
        })) {}

  // Waits up to `limit` for at least `n` signals; returns how many arrived.
  std::size_t wait_for(std::size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return keys_.size() >= n; });
    return keys_.size();
  }
  std::vector<std::string> keys() {
    std::lock_guard lock(mutex_);
    return keys_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    keys_.clear();
  }
  void stop() { subscription_.reset(); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> keys_;  // guarded by mutex_
  domain::Subscription subscription_;
};

domain::NewJob due_job(std::int64_t run_at_ms = 0) {
  domain::NewJob job;
  job.kind = "signal.test";
  job.run_at_ms = run_at_ms;
  return job;
}

}  // namespace

TEST_P(StoreContractTest, SignalsJobsDueOnlyAfterACommitThatEnqueuedOneDueNow) {
  Heard heard(*store_, Topic::kJobsDue);
  // Rolled back, or due only in an hour: no signal.
  auto failed = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().enqueue(due_job()));
    return Error::conflict("changed my mind");
  });
  ASSERT_FALSE(failed.ok());
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().enqueue(due_job(domain::now_epoch_ms() + 3'600'000)));
    return Json();
  });
  EXPECT_EQ(heard.wait_for(1, 300ms), 0u);

  // Committed and due: heard, and by then the job is there to claim.
  std::int64_t id = 0;
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(due_job()));
    return Json();
  });
  ASSERT_GE(heard.wait_for(1, 2s), 1u);
  read([&](Transaction& tx) -> Result<Json> {
    EXPECT_TRUE(tx.jobs().get(id).ok());
    return Json();
  });

  // A dropped subscription hears nothing more.
  heard.stop();
  heard.clear();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().enqueue(due_job()));
    return Json();
  });
  EXPECT_EQ(heard.wait_for(1, 300ms), 0u);
}

TEST_P(StoreContractTest, SignalsOutboxEventsToThisStoresSubscribers) {
  Heard heard(*store_, Topic::kOutbox);
  write([&](Transaction& tx) -> Result<Json> {
    tx.record_event(domain::DomainEvent{"contact.created", "contact", 1, 0, Json::object()});
    tx.record_event(domain::DomainEvent{"contact.updated", "contact", 1, 0, Json::object()});
    return Json();
  });
  ASSERT_GE(heard.wait_for(1, 2s), 1u);
  EXPECT_EQ(heard.wait_for(2, 200ms), 1u) << "one signal per unit, not one per event";
}

TEST_P(StoreContractTest, SignalsAuthKeysPublishedByACommittedUnit) {
  Heard heard(*store_, Topic::kAuth);
  auto failed = store_->write([&](Transaction& tx) -> Result<Json> {
    tx.publish(Topic::kAuth, domain::auth_user_key(7));
    return Error::conflict("rolled back");
  });
  ASSERT_FALSE(failed.ok());
  write([&](Transaction& tx) -> Result<Json> {
    tx.publish(Topic::kAuth, domain::auth_token_key("abc123"));
    tx.publish(Topic::kAuth, domain::auth_user_key(42));
    return Json();
  });
  ASSERT_GE(heard.wait_for(2, 2s), 2u);
  const auto keys = heard.keys();
  EXPECT_EQ(keys, (std::vector<std::string>{"token:abc123", "user:42"}));
}

}  // namespace relais::storage::testing
