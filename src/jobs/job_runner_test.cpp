// The job runner on the real SQLite store: jobs run once, failures retry with back-off and
// dead-letter, long jobs progress in chunks, outbox consumers keep their own cursors,
// recurring kinds stay scheduled once, stop() gives back what it holds.
#include "jobs/job_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/testing/test_directory.hpp"
#include "domain/records/values.hpp"
#include "domain/schema/entity_schema.hpp"
#include "jobs/maintenance_jobs.hpp"
#include "storage/open.hpp"

namespace relais::jobs {
namespace {

using domain::Job;
using domain::JobStatus;
using domain::NewJob;
using domain::Transaction;

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<relais::testing::TestDirectory>("relais-jobs");
    auto store = storage::open_store("sqlite:" + (dir_->path() / "relais.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    dir_.reset();
  }

  std::int64_t enqueue(NewJob job) {
    std::int64_t id = 0;
    auto r = store_->write([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(job));
      return Json();
    });
    EXPECT_TRUE(r.ok());
    return id;
  }
  Job get(std::int64_t id) {
    Job job;
    auto r = store_->read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(job, tx.jobs().get(id));
      return Json();
    });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return job;
  }
  std::int64_t count_notes() {
    std::int64_t n = 0;
    auto r = store_->read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(n, tx.count(domain::note_schema(), {}));
      return Json();
    });
    EXPECT_TRUE(r.ok());
    return n;
  }
  // Waits (bounded) until `done` holds.
  template <class Predicate>
  bool eventually(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  static RunnerOptions fast_options(int threads = 2) {
    RunnerOptions options;
    options.threads = threads;
    options.idle_poll_ms = 5;
    options.retry.base_ms = 1;
    options.retry.max_ms = 4;
    return options;
  }

  std::unique_ptr<relais::testing::TestDirectory> dir_;
  std::unique_ptr<domain::Store> store_;
};

NewJob job_of(std::string kind, Json payload = Json::object()) {
  NewJob job;
  job.kind = std::move(kind);
  job.payload = std::move(payload);
  return job;
}

// Writes one note per job: the effect the tests count.
JobHandler note_writer() {
  return [](Transaction& tx, const Job& job) -> Result<JobStep> {
    RELAIS_TRY(tx.insert(domain::note_schema(), Json{{"body", "job " + std::to_string(job.id)}}));
    return JobStep{.result = Json{{"wrote", 1}}};
  };
}

TEST_F(JobRunnerTest, EveryJobRunsOnceAndItsEffectIsWrittenOnce) {
  JobRegistry registry;
  registry.add(JobKind{.name = "note", .handler = note_writer()});
  constexpr int kJobs = 500;
  std::vector<std::int64_t> ids;
  ids.reserve(kJobs);
  for (int i = 0; i < kJobs; ++i) ids.push_back(enqueue(job_of("note")));
  JobRunner runner(*store_, registry, fast_options(3));
  runner.start();
  ASSERT_TRUE(eventually([&] { return runner.handled() == kJobs; }));
  runner.stop();
  EXPECT_EQ(count_notes(), kJobs);
  for (auto id : {ids.front(), ids.back()}) {
    const Job job = get(id);
    EXPECT_EQ(job.status, JobStatus::kDone);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_EQ(job.result, (Json{{"wrote", 1}}));
  }
}

TEST_F(JobRunnerTest, AFailingJobRetriesWithBackoffThenIsDeadLetteredAlone) {
  std::atomic<int> calls{0};
  JobRegistry registry;
  registry.add(JobKind{.name = "note", .handler = note_writer()});
  registry.add(JobKind{
      .name = "flaky",
      .handler = [&](Transaction& tx, const Job&) -> Result<JobStep> {
        ++calls;
        // Writes before failing: the savepoint must undo this, not the other jobs' notes.
        RELAIS_TRY(tx.insert(domain::note_schema(), Json{{"body", "half-done"}}));
        return Error::internal("peer unavailable");
      },
  });
  NewJob flaky_job = job_of("flaky");
  flaky_job.max_attempts = 3;
  const auto flaky = enqueue(flaky_job);
  for (int i = 0; i < 5; ++i) enqueue(job_of("note"));
  JobRunner runner(*store_, registry, fast_options());
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(flaky).status == JobStatus::kDead; }));
  ASSERT_TRUE(eventually([&] { return runner.handled() == 5 + 3; }));
  runner.stop();
  EXPECT_EQ(calls.load(), 3);
  const Job dead = get(flaky);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.last_error, "peer unavailable");
  EXPECT_EQ(count_notes(), 5);
}

TEST_F(JobRunnerTest, ABadPayloadIsDeadLetteredAtOnceAndARetriedJobRunsAgain) {
  std::atomic<bool> accept{false};
  JobRegistry registry;
  registry.add(
      JobKind{.name = "strict", .handler = [&](Transaction&, const Job&) -> Result<JobStep> {
                if (!accept) return Error::bad_request("no recipient");
                return JobStep{};
              }});
  const auto id = enqueue(job_of("strict"));
  JobRunner runner(*store_, registry, fast_options(1));
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(id).status == JobStatus::kDead; }));
  EXPECT_EQ(get(id).attempts, 1);
  accept = true;
  ASSERT_TRUE(store_
                  ->write([&](Transaction& tx) -> Result<Json> {
                    RELAIS_TRY(tx.jobs().retry(id, domain::now_epoch_ms()));
                    return Json();
                  })
                  .ok());
  ASSERT_TRUE(eventually([&] { return get(id).status == JobStatus::kDone; }));
  runner.stop();
}

TEST_F(JobRunnerTest, AJobWhoseWorkersKeepDyingEndsInTheDeadLetterQueue) {
  std::atomic<int> calls{0};
  JobRegistry registry;
  registry.add(
      JobKind{.name = "poison", .handler = [&](Transaction&, const Job&) -> Result<JobStep> {
                ++calls;
                return JobStep{};
              }});
  NewJob poison = job_of("poison");
  poison.max_attempts = 2;
  const auto id = enqueue(poison);
  // Two workers claimed it and died (their leases expired) without a word.
  for (int died = 0; died < 2; ++died) {
    ASSERT_TRUE(store_
                    ->write([&](Transaction& tx) -> Result<Json> {
                      const auto later = domain::now_epoch_ms() + (died + 1) * 10'000;
                      EXPECT_EQ(tx.jobs().claim({"dead-worker", 1, later, 1, {}}).size(), 1U);
                      return Json();
                    })
                    .ok());
  }
  RunnerOptions options = fast_options(1);
  options.clock = [] { return domain::now_epoch_ms() + 60'000; };  // past those leases
  JobRunner runner(*store_, registry, options);
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(id).status == JobStatus::kDead; }));
  runner.stop();
  EXPECT_EQ(calls.load(), 0);
  EXPECT_NE(get(id).last_error.find("abandoned"), std::string::npos);
}

TEST_F(JobRunnerTest, ALongJobWorksInChunksWithProgressAndState) {
  std::atomic<int> chunks{0};
  JobRegistry registry;
  registry.add(JobKind{
      .name = "long",
      .handler = [&](Transaction& tx, const Job& job) -> Result<JobStep> {
        ++chunks;
        const int done = job.state.is_object() ? job.state["done"].get<int>() : 0;
        RELAIS_TRY(
            tx.insert(domain::note_schema(), Json{{"body", "chunk " + std::to_string(done)}}));
        if (done + 1 == 4) return JobStep{.result = Json{{"chunks", 4}}};
        return JobStep{.finished = false,
                       .state = Json{{"done", done + 1}},
                       .progress = domain::JobProgress{done + 1, 4}};
      },
  });
  const auto id = enqueue(job_of("long"));
  JobRunner runner(*store_, registry, fast_options(1));
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(id).status == JobStatus::kDone; }));
  runner.stop();
  const Job job = get(id);
  EXPECT_EQ(chunks.load(), 4);
  EXPECT_EQ(job.attempts, 1);  // one claim, four chunks
  ASSERT_TRUE(job.progress.has_value());
  EXPECT_EQ(job.progress->done, 3);  // the last checkpoint; the result says the rest
  EXPECT_EQ(job.result, (Json{{"chunks", 4}}));
  EXPECT_EQ(count_notes(), 4);
}

TEST_F(JobRunnerTest, StopGivesBackALongJobItHolds) {
  std::atomic<int> chunks{0};
  JobRegistry registry;
  registry.add(
      JobKind{.name = "endless", .handler = [&](Transaction&, const Job&) -> Result<JobStep> {
                ++chunks;
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
                return JobStep{.finished = false, .state = Json{{"at", 1}}};
              }});
  const auto id = enqueue(job_of("endless"));
  JobRunner runner(*store_, registry, fast_options(1));
  runner.start();
  ASSERT_TRUE(eventually([&] { return chunks.load() >= 3; }));
  runner.stop();
  const Job job = get(id);
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.attempts, 0);               // given back uncounted
  EXPECT_EQ(job.state, (Json{{"at", 1}}));  // where the next worker resumes
}

TEST_F(JobRunnerTest, OutboxConsumersTurnMatchingEventsIntoJobsWithTheirOwnCursors) {
  JobRegistry registry;
  std::atomic<int> scored{0};
  std::atomic<int> hooked{0};
  registry.add(
      JobKind{.name = "score", .handler = [&](Transaction&, const Job& job) -> Result<JobStep> {
                EXPECT_EQ(job.payload["entity"], "contact");
                ++scored;
                return JobStep{};
              }});
  registry.add(JobKind{.name = "hook", .handler = [&](Transaction&, const Job&) -> Result<JobStep> {
                         ++hooked;
                         return JobStep{};
                       }});
  registry.add(OutboxConsumer{"scoring", {"contact.*"}, "score"});
  registry.add(OutboxConsumer{"webhooks", {"deal.won", "contact.created"}, "hook"});
  auto emit = [&](const std::string& type, std::int64_t id) {
    ASSERT_TRUE(store_
                    ->write([&](Transaction& tx) -> Result<Json> {
                      tx.record_event({type, type.substr(0, type.find('.')), id, 0, {}});
                      return Json();
                    })
                    .ok());
  };
  emit("contact.created", 1);  // before the consumers first run: not theirs
  JobRunner runner(*store_, registry, fast_options(1));
  ASSERT_TRUE(runner.dispatch_outbox().ok());  // first run: cursors start at the head
  emit("contact.created", 2);
  emit("contact.updated", 2);
  emit("deal.won", 7);
  emit("company.created", 3);
  auto taken = runner.dispatch_outbox();
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(*taken, 8);  // 4 events seen by each of the two consumers
  EXPECT_EQ(*runner.dispatch_outbox(), 0);
  runner.start();
  ASSERT_TRUE(eventually([&] { return scored == 2 && hooked == 2; }));
  runner.stop();
  EXPECT_EQ(scored.load(), 2);  // contact.created and contact.updated
  EXPECT_EQ(hooked.load(), 2);  // contact.created and deal.won
}

TEST_F(JobRunnerTest, RecurringKindsAreScheduledOncePerPeriodAcrossRunners) {
  JobRegistry registry;
  register_maintenance_jobs(registry);
  JobRunner a(*store_, registry, fast_options(1));
  JobRunner b(*store_, registry, fast_options(1));
  ASSERT_TRUE(a.schedule_recurring().ok());
  ASSERT_TRUE(b.schedule_recurring().ok());
  ASSERT_TRUE(a.schedule_recurring().ok());
  domain::JobPage page;
  ASSERT_TRUE(store_
                  ->read([&](Transaction& tx) -> Result<Json> {
                    RELAIS_ASSIGN_OR_RETURN(page, tx.jobs().list({}));
                    return Json();
                  })
                  .ok());
  ASSERT_EQ(page.items.size(), 3U);  // jobs.prune, outbox.prune and events.prune, once each
  for (const auto& job : page.items) {
    EXPECT_EQ(job.status, JobStatus::kQueued);
    EXPECT_GT(job.run_at_ms, domain::now_epoch_ms());
    EXPECT_EQ(job.run_at_ms % (3600 * 1000), 0);  // on the hour
  }
}

TEST_F(JobRunnerTest, OutboxPruneKeepsWhatAConsumerHasNotTaken) {
  // The prune job knows the consumer "slow"; the runner running it dispatches nothing, so
  // the cursor stays where the test puts it.
  JobRegistry with_consumer;
  with_consumer.add(OutboxConsumer{"slow", {"*"}, "noop"});
  RetentionOptions retention;
  retention.keep_outbox_ms = -60'000;  // "older than a minute from now": everything
  retention.rows_per_chunk = 2;        // several chunks
  register_maintenance_jobs(with_consumer, retention);
  JobRegistry registry;
  registry.add(*with_consumer.find("outbox.prune"));
  JobRunner runner(*store_, registry, fast_options(1));
  ASSERT_TRUE(store_
                  ->write([&](Transaction& tx) -> Result<Json> {
                    for (int i = 1; i <= 5; ++i) tx.record_event({"x.y", "x", i, 0, {}});
                    return Json();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->write([&](Transaction& tx) -> Result<Json> {
                    const auto events = tx.jobs().outbox_after({}, 5);
                    if (events.size() != 5) return Error::internal("5 events expected");
                    tx.jobs().set_consumer_cursor("slow", events[2].position);  // took 3 of 5
                    return Json();
                  })
                  .ok());
  const auto id = enqueue(job_of("outbox.prune"));
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(id).status == JobStatus::kDone; }));
  runner.stop();
  EXPECT_EQ(get(id).result, (Json{{"deleted", 3}}));
  std::size_t left = 0;
  ASSERT_TRUE(store_
                  ->read([&](Transaction& tx) -> Result<Json> {
                    left = tx.jobs().outbox_after({}, 100).size();
                    return Json();
                  })
                  .ok());
  EXPECT_EQ(left, 2U);
}

TEST_F(JobRunnerTest, EventsPruneDeletesEventsPastTheRetentionInChunks) {
  RetentionOptions retention;
  retention.keep_events_ms = 24LL * 3600 * 1000;
  retention.rows_per_chunk = 2;  // several chunks
  JobRegistry all;
  register_maintenance_jobs(all, retention);
  JobRegistry registry;
  registry.add(*all.find("events.prune"));
  JobRunner runner(*store_, registry, fast_options(1));
  const std::int64_t now = domain::now_epoch_ms();
  ASSERT_TRUE(store_
                  ->write([&](Transaction& tx) -> Result<Json> {
                    std::vector<domain::NewEvent> batch;
                    for (int i = 0; i < 7; ++i) {
                      // Five from last year, two from the last hour.
                      const std::int64_t at =
                          i < 5 ? now - 400LL * 24 * 3600 * 1000 + i : now - 3'600'000 + i;
                      batch.push_back(
                          {.visitor_id = "v", .name = "page_view", .occurred_at_ms = at});
                    }
                    RELAIS_TRY(tx.events().append(batch));
                    return Json();
                  })
                  .ok());
  const auto id = enqueue(job_of("events.prune"));
  runner.start();
  ASSERT_TRUE(eventually([&] { return get(id).status == JobStatus::kDone; }));
  runner.stop();
  EXPECT_EQ(get(id).result, (Json{{"deleted", 5}}));
  std::int64_t left = 0;
  ASSERT_TRUE(store_
                  ->read([&](Transaction& tx) -> Result<Json> {
                    RELAIS_ASSIGN_OR_RETURN(auto counts, tx.events().bucket_counts(
                                                             {.names = {"page_view"},
                                                              .from_ms = 0,
                                                              .to_ms = now + 1,
                                                              .size = domain::BucketSize::kMonth}));
                    for (const auto& c : counts) left += c.count;
                    return Json();
                  })
                  .ok());
  EXPECT_EQ(left, 2);
}

TEST(RetryPolicyTest, DelaysDoubleWithJitterUpToTheCapAndEndAtMaxAttempts) {
  RetryPolicy policy{.base_ms = 1'000, .max_ms = 60'000};
  std::mt19937_64 rng(42);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    std::int64_t full = 1'000;
    for (int i = 1; i < attempt; ++i) full = std::min<std::int64_t>(full * 2, 60'000);
    for (int draw = 0; draw < 50; ++draw) {
      const auto d = policy.delay_ms(attempt, rng);
      EXPECT_GE(d, full / 2) << attempt;
      EXPECT_LE(d, full) << attempt;
    }
  }
  EXPECT_EQ(policy.retry_at(3, 3, 100, rng), std::nullopt);
  const auto next = policy.retry_at(1, 3, 100, rng);
  ASSERT_TRUE(next.has_value());
  EXPECT_GE(*next, 600);
  EXPECT_LE(*next, 1'100);
}

TEST(EventTypeMatchTest, ExactPrefixAndAny) {
  EXPECT_TRUE(event_type_matches("contact.created", "contact.created"));
  EXPECT_FALSE(event_type_matches("contact.created", "contact.updated"));
  EXPECT_TRUE(event_type_matches("contact.*", "contact.updated"));
  EXPECT_FALSE(event_type_matches("contact.*", "contacts.updated"));
  EXPECT_FALSE(event_type_matches("contact.*", "company.created"));
  EXPECT_TRUE(event_type_matches("*", "deal.won"));
}

}  // namespace
}  // namespace relais::jobs
