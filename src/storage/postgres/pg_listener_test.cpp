// PgListener: change signals between two PgStores on one database (two servers), and a
// listening connection that is killed comes back and says it may have missed something.
#include "storage/postgres/pg_listener.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/postgres/pg_store.hpp"
#include "storage/testing/pg_test_database.hpp"

namespace relais::storage::postgres {
namespace {

using domain::Signal;
using domain::Topic;
using domain::Transaction;
using namespace std::chrono_literals;

class Recorder {
 public:
  void add(const Signal& s) {
    {
      std::lock_guard lock(mutex_);
      signals_.push_back(s);
    }
    changed_.notify_all();
  }
  // Waits up to `limit` for a signal matching `match`; true when one came.
  template <class Match>
  bool wait_for(Match match, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] {
      for (const Signal& s : signals_) {
        if (match(s)) return true;
      }
      return false;
    });
  }
  void clear() {
    std::lock_guard lock(mutex_);
    signals_.clear();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Signal> signals_;  // guarded by mutex_
};

class PgListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = testing::pg_database_name_for(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    testing::pg_drop_database(name_);
    testing::pg_create_database(name_);
    url_ = testing::pg_database_url(testing::pg_test_base_url(), name_);
    here_ = open();
    there_ = open();
  }
  void TearDown() override {
    here_.reset();
    there_.reset();
    testing::pg_drop_database(name_);
  }
  std::unique_ptr<PgStore> open() {
    auto store = PgStore::open(url_, {.migrate = true});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return std::move(store).value();
  }
  void enqueue_due_job(PgStore& store) {
    auto r = store.write([](Transaction& tx) -> Result<Json> {
      domain::NewJob job;
      job.kind = "listener.test";
      RELAIS_TRY(tx.jobs().enqueue(job));
      return Json();
    });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  static bool is_job(const Signal& s) { return s.topic == Topic::kJobsDue && !s.missed; }

  std::string name_;
  std::string url_;
  std::unique_ptr<PgStore> here_;   // the server that writes
  std::unique_ptr<PgStore> there_;  // another server, listening
};

TEST_F(PgListenerTest, AJobEnqueuedOnOneStoreWakesTheOthersSubscriberAtOnce) {
  Recorder heard;
  auto jobs = there_->subscribe(Topic::kJobsDue, [&](const Signal& s) { heard.add(s); });
  auto auth = there_->subscribe(Topic::kAuth, [&](const Signal& s) { heard.add(s); });
  EXPECT_TRUE(there_->signals_reach_other_processes());
  heard.clear();

  const auto sent = std::chrono::steady_clock::now();
  enqueue_due_job(*here_);
  ASSERT_TRUE(heard.wait_for(is_job, 1s));
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s);

  auto r = here_->write([](Transaction& tx) -> Result<Json> {
    tx.publish(Topic::kAuth, domain::auth_token_key("0f1e2d"));
    return Json();
  });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(heard.wait_for(
      [](const Signal& s) { return s.topic == Topic::kAuth && s.key == "token:0f1e2d"; }, 1s));
}

TEST_F(PgListenerTest, TheListenerSurvivesTerminateBackendAndSaysItMayHaveMissedSignals) {
  Recorder heard;
  auto jobs = there_->subscribe(Topic::kJobsDue, [&](const Signal& s) { heard.add(s); });
  const int pid = there_->listener().backend_pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(there_->listener().connections(), 1);
  heard.clear();

  {
    PgConnection admin(url_);
    auto killed = admin.query("SELECT pg_terminate_backend($1)", params(std::int64_t{pid}));
    ASSERT_TRUE(killed.boolean(0, 0));
  }
  // Back within the first retry (100 ms) plus a connection: the missed signal says a
  // notification may have been lost meanwhile.
  ASSERT_TRUE(
      heard.wait_for([](const Signal& s) { return s.topic == Topic::kJobsDue && s.missed; }, 5s));
  // The listener says `missed` before it counts the new connection (pg_listener.cpp).
  const auto counted_by = std::chrono::steady_clock::now() + 2s;
  while (there_->listener().connections() < 2 && std::chrono::steady_clock::now() < counted_by) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(there_->listener().connections(), 2);
  EXPECT_NE(there_->listener().backend_pid(), pid);

  // And it listens again.
  heard.clear();
  enqueue_due_job(*here_);
  EXPECT_TRUE(heard.wait_for(is_job, 1s));
}

TEST_F(PgListenerTest, AStoreNobodySubscribesToOpensNoListeningConnection) {
  // Tools (migrate, backup, user add) open a store and subscribe to nothing.
  EXPECT_EQ(here_->listener().connections(), 0);
  EXPECT_EQ(here_->listener().backend_pid(), 0);
}

}  // namespace
}  // namespace relais::storage::postgres
