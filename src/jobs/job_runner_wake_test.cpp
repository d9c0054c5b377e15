// An idle JobRunner whose idle poll is far longer than the test still starts a job at once
// when the store signals it (domain/signals.hpp): enqueued in this process (SQLite, in-process
// signal), through another Store on the database (PostgreSQL, LISTEN/NOTIFY), or caused by an
// outbox event written here (the dispatcher wakes, then the job's own signal).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "common/testing/test_directory.hpp"
#include "jobs/job_runner.hpp"
#include "storage/open.hpp"
#include "storage/testing/pg_test_database.hpp"

namespace relais::jobs {
namespace {

using domain::Job;
using domain::Transaction;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kHourMs = 3'600'000;

RunnerOptions sleepy_options() {
  RunnerOptions options;
  options.threads = 2;
  options.idle_poll_ms = kHourMs;  // only a signal can wake it within the test
  return options;
}

// Records when the first job ran (written by a worker thread, read by the test).
struct Stopwatch {
  std::atomic<Clock::rep> first_run{0};  // Clock ticks since its epoch; 0 = not yet
  JobHandler handler() {
    return [this](Transaction&, const Job&) -> Result<JobStep> {
      Clock::rep none = 0;
      first_run.compare_exchange_strong(none, Clock::now().time_since_epoch().count());
      return JobStep{};
    };
  }
  // Waits up to `limit` for the first run; returns how long after `since` it ran.
  std::optional<Clock::duration> wait(Clock::time_point since, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (first_run == 0 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    if (first_run == 0) return std::nullopt;
    return Clock::time_point(Clock::duration(first_run.load())) - since;
  }
};

void enqueue(domain::Store& store, const std::string& kind) {
  auto r = store.write([&](Transaction& tx) -> Result<Json> {
    domain::NewJob job;
    job.kind = kind;
    RELAIS_TRY(tx.jobs().enqueue(job));
    return Json();
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
}

std::unique_ptr<domain::Store> open(const std::string& url) {
  auto store = storage::open_store(url);
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
  return std::move(store).value();
}

TEST(JobRunnerWakeTest, AnIdleRunnerStartsAJobEnqueuedInThisProcessAtOnce) {
  relais::testing::TestDirectory dir("relais-wake");
  auto store = open("sqlite:" + (dir.path() / "relais.db").string());
  Stopwatch watch;
  JobRegistry registry;
  registry.add(JobKind{.name = "wake", .handler = watch.handler()});
  JobRunner runner(*store, registry, sleepy_options());
  runner.start();
  std::this_thread::sleep_for(200ms);  // every thread has looked, found nothing, and sleeps
  const auto sent = Clock::now();
  enqueue(*store, "wake");
  const auto took = watch.wait(sent, 2s);
  ASSERT_TRUE(took.has_value()) << "the runner slept through the signal";
  EXPECT_LT(*took, 500ms);
  runner.stop();
}

TEST(JobRunnerWakeTest, AnOutboxEventWrittenHereWakesTheDispatcherAndItsJobRuns) {
  relais::testing::TestDirectory dir("relais-wake");
  auto store = open("sqlite:" + (dir.path() / "relais.db").string());
  Stopwatch watch;
  JobRegistry registry;
  registry.add(JobKind{.name = "on_contact", .handler = watch.handler()});
  registry.add(OutboxConsumer{"wake", {"contact.created"}, "on_contact"});
  JobRunner runner(*store, registry, sleepy_options());
  runner.start();
  std::this_thread::sleep_for(200ms);
  const auto sent = Clock::now();
  ASSERT_TRUE(store
                  ->write([](Transaction& tx) -> Result<Json> {
                    tx.record_event({"contact.created", "contact", 1, 0, Json::object()});
                    return Json();
                  })
                  .ok());
  const auto took = watch.wait(sent, 2s);
  ASSERT_TRUE(took.has_value()) << "the dispatcher slept through the outbox signal";
  EXPECT_LT(*took, 500ms);
  runner.stop();
}

TEST(JobRunnerWakeTest, OnPostgresAJobEnqueuedThroughAnotherStoreStartsAtOnce) {
  const std::string name = storage::testing::pg_database_name_for("JobRunnerWakeTest.Postgres");
  storage::testing::pg_drop_database(name);
  storage::testing::pg_create_database(name);
  const std::string url =
      storage::testing::pg_database_url(storage::testing::pg_test_base_url(), name);
  {
    auto here = open(url);   // the server the job is enqueued through
    auto there = open(url);  // another server, whose workers are idle
    EXPECT_TRUE(there->signals_reach_other_processes());
    Stopwatch watch;
    JobRegistry registry;
    registry.add(JobKind{.name = "wake", .handler = watch.handler()});
    JobRunner runner(*there, registry, sleepy_options());
    runner.start();
    std::this_thread::sleep_for(300ms);
    const auto sent = Clock::now();
    enqueue(*here, "wake");
    const auto took = watch.wait(sent, 2s);
    ASSERT_TRUE(took.has_value()) << "the other store's runner slept through the NOTIFY";
    EXPECT_LT(*took, 1s);
    runner.stop();
  }
  storage::testing::pg_drop_database(name);
}

}  // namespace
}  // namespace relais::jobs
