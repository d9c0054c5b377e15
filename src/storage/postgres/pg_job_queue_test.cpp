// PgJobQueue on a real PostgreSQL database, through raw connections (several "servers"):
// the outbox ordering hazard of ids handed out before commit, concurrent claims that never
// lease one job twice, and what isolation level claims can run at. The behaviour shared
// with SQLite is the storage contract suite's (job_queue_contract_test.cpp).
//
// Needs RELAIS_TEST_PG_URL, the base URL of a cluster (scripts/pg-cluster start DIR prints
// it); each test creates a database of its own there and drops it afterwards.
#include "storage/postgres/pg_job_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "domain/records/values.hpp"
#include "storage/postgres/pg_migrations.hpp"

namespace relais::storage::postgres {
namespace {

using domain::Job;
using domain::JobClaim;
using domain::OutboxEvent;
using domain::OutboxPosition;

// "postgresql:///?host=/tmp/x&user=postgres" + "db" -> "postgresql:///db?host=...".
std::string url_of_database(const std::string& base, const std::string& name) {
  const auto slashes = base.find(":///");
  if (slashes == std::string::npos) return base;
  const auto at = slashes + 4;
  const auto query = base.find('?', at);
  return base.substr(0, at) + name + (query == std::string::npos ? "" : base.substr(query));
}

// Runs `work` in one transaction at `isolation`, again while it fails to serialise (as the
// store does with write units); returns how many attempts failed so.
int unit(PgConnection& db, const std::string& isolation,
         const std::function<void(PgJobQueue&)>& work) {
  for (int failures = 0;; ++failures) {
    try {
      db.exec("BEGIN ISOLATION LEVEL " + isolation);
      PgJobQueue queue(db, /*write_unit=*/true);
      work(queue);
      db.exec("COMMIT");
      return failures;
    } catch (const PgError& e) {
      db.exec("ROLLBACK");
      if (!e.is_retryable()) throw;
    }
  }
}

void insert_event(PgConnection& db, int n) {
  db.query(
      "INSERT INTO outbox_events(at, type, entity, record_id, actor_user_id, payload_json) "
      "VALUES ($1, 'x.y', 'x', $2, 0, $3)",
      params(domain::format_epoch_ms(domain::now_epoch_ms()), static_cast<std::int64_t>(n),
             Json{{"n", n}}.dump()));
}

class PgJobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("RELAIS_TEST_PG_URL");
    ASSERT_NE(base, nullptr) << "RELAIS_TEST_PG_URL is not set: these tests need PostgreSQL. "
                                "Start a cluster with scripts/pg-cluster start DIR and export "
                                "the URL it prints.";
    base_ = base;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = "relais_pgjq_" + std::string(info->name()).substr(0, 40) + "_" +
            std::to_string(std::random_device{}() % 100000);
    for (auto& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    admin_ = std::make_unique<PgConnection>(url_of_database(base_, "postgres"));
    admin_->exec("CREATE DATABASE " + name_);
    auto db = connect();
    auto migrated = migrate_database(*db, /*apply=*/true);
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  }

  void TearDown() override {
    if (admin_) admin_->exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }

  std::unique_ptr<PgConnection> connect() {
    return std::make_unique<PgConnection>(url_of_database(base_, name_));
  }

  // What a consumer takes from `after` on, in one READ COMMITTED unit.
  std::vector<OutboxEvent> take(PgConnection& db, OutboxPosition after) {
    std::vector<OutboxEvent> events;
    unit(db, "READ COMMITTED", [&](PgJobQueue& q) { events = q.outbox_after(after, 100); });
    return events;
  }

  std::string base_;
  std::string name_;
  std::unique_ptr<PgConnection> admin_;
};

std::vector<int> numbers(const std::vector<OutboxEvent>& events) {
  std::vector<int> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(e.payload["n"].get<int>());
  return out;
}

TEST_F(PgJobQueueTest, OutboxEventWithALowerIdCommittedLaterIsNotSkipped) {
  auto slow = connect();
  auto fast = connect();
  auto consumer = connect();
  slow->exec("BEGIN");
  insert_event(*slow, 1);  // takes the lower id, commits last
  fast->exec("BEGIN");
  insert_event(*fast, 2);
  fast->exec("COMMIT");
  // Reading "id > cursor" would take event 2 now and pass event 1 for ever.
  EXPECT_TRUE(take(*consumer, {}).empty());
  OutboxPosition head;
  unit(*consumer, "READ COMMITTED", [&](PgJobQueue& q) { head = q.outbox_head(); });
  EXPECT_EQ(head, OutboxPosition{});
  slow->exec("COMMIT");
  const auto events = take(*consumer, head);
  EXPECT_EQ(numbers(events), (std::vector<int>{1, 2}));
  ASSERT_EQ(events.size(), 2U);
  EXPECT_LT(events[0].id, events[1].id);
  EXPECT_TRUE(take(*consumer, events.back().position).empty());
}

TEST_F(PgJobQueueTest, OutboxEventWithAHigherIdCommittedFirstByAnOlderTransactionIsNotSkipped) {
  // The case that defeats "id order below the oldest running transaction": the older
  // transaction inserts the higher id and commits first.
  auto older = connect();
  auto younger = connect();
  auto consumer = connect();
  older->exec("BEGIN");
  older->query("SELECT pg_current_xact_id()");  // its transaction id comes first
  younger->exec("BEGIN");
  insert_event(*younger, 1);  // lower id, younger transaction, still open
  insert_event(*older, 2);    // higher id
  older->exec("COMMIT");
  const auto first = take(*consumer, {});
  EXPECT_EQ(numbers(first), (std::vector<int>{2}));  // its transaction is wholly behind us
  ASSERT_EQ(first.size(), 1U);
  younger->exec("COMMIT");
  EXPECT_EQ(numbers(take(*consumer, first.back().position)), (std::vector<int>{1}));
}

TEST_F(PgJobQueueTest, OutboxIsNotHeldBackByATransactionOfAnotherDatabase) {
  auto elsewhere = std::make_unique<PgConnection>(url_of_database(base_, "postgres"));
  auto writer = connect();
  auto consumer = connect();
  elsewhere->exec("BEGIN");
  elsewhere->query("SELECT pg_current_xact_id()");  // older than the event's, left open
  writer->exec("BEGIN");
  insert_event(*writer, 1);
  writer->exec("COMMIT");
  EXPECT_EQ(numbers(take(*consumer, {})), (std::vector<int>{1}));
  elsewhere->exec("COMMIT");
}

TEST_F(PgJobQueueTest, OutboxConsumedWhileManyWritersCommitOutOfOrderLosesNothing) {
  constexpr int kWriters = 4;
  constexpr int kEventsPerWriter = 150;
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  writers.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto db = connect();
      std::mt19937 rng(static_cast<unsigned>(w));
      for (int i = 0; i < kEventsPerWriter; ++i) {
        db->exec("BEGIN");
        insert_event(*db, w * kEventsPerWriter + i);
        // Stay open a little, so ids and commits interleave across writers.
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2'000));
        db->exec("COMMIT");
      }
    });
  }
  std::thread done_writing([&] {
    for (auto& t : writers) t.join();
    writing = false;
  });
  auto consumer = connect();
  std::multiset<int> taken;
  OutboxPosition cursor;
  for (bool last_pass = false;;) {
    const bool finished = !writing;
    for (const auto& e : take(*consumer, cursor)) {
      EXPECT_LT(cursor, e.position);
      cursor = e.position;
      taken.insert(e.payload["n"].get<int>());
    }
    if (last_pass) break;
    last_pass = finished;
  }
  done_writing.join();
  for (const auto& e : take(*consumer, cursor)) taken.insert(e.payload["n"].get<int>());
  EXPECT_EQ(taken.size(), static_cast<std::size_t>(kWriters * kEventsPerWriter));
  for (int n = 0; n < kWriters * kEventsPerWriter; ++n) EXPECT_EQ(taken.count(n), 1U) << n;
}

TEST_F(PgJobQueueTest, ConsumerCursorIsLockedInAWriteUnit) {
  auto first = connect();
  auto second = connect();
  unit(*first, "READ COMMITTED", [](PgJobQueue& q) { q.set_consumer_cursor("c", {0, 0}); });
  first->exec("BEGIN");
  PgJobQueue queue(*first, /*write_unit=*/true);
  ASSERT_TRUE(queue.consumer_cursor("c").has_value());
  // The second dispatcher's lock waits for the first unit: a zero lock timeout fails at once.
  second->exec("BEGIN");
  second->exec("SET LOCAL lock_timeout = '50ms'");
  PgJobQueue blocked(*second, /*write_unit=*/true);
  EXPECT_THROW((void)blocked.consumer_cursor("c"), PgError);
  second->exec("ROLLBACK");
  queue.set_consumer_cursor("c", {7, 9});
  first->exec("COMMIT");
  std::optional<OutboxPosition> seen;
  unit(*second, "READ COMMITTED", [&](PgJobQueue& q) { seen = q.consumer_cursor("c"); });
  EXPECT_EQ(seen, (OutboxPosition{7, 9}));
}

TEST_F(PgJobQueueTest, EnqueueingADueJobNotifiesListenersOnceAtCommit) {
  auto listener = connect();
  listener->exec("LISTEN relais_jobs");
  auto writer = connect();
  const auto enqueue_two = [&](PgJobQueue& q) {
    domain::NewJob job;
    job.kind = "k";
    ASSERT_TRUE(q.enqueue(job).ok());
    ASSERT_TRUE(q.enqueue(job).ok());
  };
  const auto count_notifications = [&] {
    int seen = 0;
    listener->wait_readable(200);
    while (auto n = listener->next_notification()) {
      EXPECT_EQ(n->channel, PgJobQueue::kJobsChannel);
      ++seen;
    }
    return seen;
  };
  writer->exec("BEGIN");
  {
    PgJobQueue q(*writer, true);
    enqueue_two(q);
  }
  EXPECT_EQ(count_notifications(), 0);  // not before commit
  writer->exec("ROLLBACK");
  EXPECT_EQ(count_notifications(), 0);  // nor for a unit rolled back
  unit(*writer, "SERIALIZABLE", enqueue_two);
  EXPECT_EQ(count_notifications(), 1);
  unit(*writer, "SERIALIZABLE", [](PgJobQueue& q) {
    domain::NewJob later;
    later.kind = "k";
    later.run_at_ms = domain::now_epoch_ms() + 60'000;  // the poll for next_due_ms finds it
    ASSERT_TRUE(q.enqueue(later).ok());
  });
  EXPECT_EQ(count_notifications(), 0);
}

// Four workers ("servers", each its own connection) claim and complete a queue concurrently,
// claims at `claim_isolation`, completions at `complete_isolation`. Returns {claim units
// retried, completion units retried}; checks that every job ran exactly once.
std::pair<int, int> drain_concurrently(PgConnection& setup, const std::string& claim_isolation,
                                       const std::string& complete_isolation,
                                       const std::function<std::unique_ptr<PgConnection>()>& open,
                                       int jobs) {
  setup.exec("BEGIN");
  {
    PgJobQueue q(setup, true);
    for (int i = 0; i < jobs; ++i) {
      domain::NewJob job;
      job.kind = "k";
      job.payload = Json{{"n", i}};
      EXPECT_TRUE(q.enqueue(job).ok());
    }
  }
  setup.exec("COMMIT");
  std::mutex mutex;
  std::map<int, int> completions;
  std::atomic<int> claim_retries{0};
  std::atomic<int> complete_retries{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto db = open();
      const std::string worker = "w" + std::to_string(t);
      for (;;) {
        std::vector<Job> claimed;
        claim_retries += unit(*db, claim_isolation, [&](PgJobQueue& q) {
          claimed = q.claim(JobClaim{worker, 7, domain::now_epoch_ms() + 1'000, 60'000, {}});
        });
        if (claimed.empty()) break;
        complete_retries += unit(*db, complete_isolation, [&](PgJobQueue& q) {
          for (const auto& job : claimed) {
            if (!q.complete(job.id, worker, nullptr, domain::now_epoch_ms()).ok()) ++conflicts;
          }
        });
        std::lock_guard lock(mutex);
        for (const auto& job : claimed) ++completions[job.payload["n"].get<int>()];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), 0);
  EXPECT_EQ(completions.size(), static_cast<std::size_t>(jobs));
  for (const auto& [n, times] : completions) EXPECT_EQ(times, 1) << "job " << n;
  return {claim_retries.load(), complete_retries.load()};
}

TEST_F(PgJobQueueTest, ConcurrentClaimsAtReadCommittedNeverLeaseAJobTwiceNorFailToSerialise) {
  auto setup = connect();
  const auto started = std::chrono::steady_clock::now();
  const auto [claim_retries, complete_retries] = drain_concurrently(
      *setup, "READ COMMITTED", "READ COMMITTED", [this] { return connect(); }, 2'000);
  std::cout << "READ COMMITTED drain of 2000 jobs by 4 workers: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count()
            << " ms\n";
  EXPECT_EQ(claim_retries, 0);
  EXPECT_EQ(complete_retries, 0);
}

// Not contracts, measurements (pg_job_queue.hpp, "Isolation"): the same drain with units
// SERIALIZABLE stays correct, but concurrent units fail each other and are retried.
void measure(const std::string& claims, const std::string& completions,
             const std::function<std::unique_ptr<PgConnection>()>& open) {
  auto setup = open();
  const auto started = std::chrono::steady_clock::now();
  const auto [claim_retries, complete_retries] =
      drain_concurrently(*setup, claims, completions, open, 2'000);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  std::cout << "claims " << claims << ", completions " << completions
            << ": drain of 2000 jobs by 4 workers in batches of 7 (~286 units of each): "
            << claim_retries << " claim and " << complete_retries << " completion units retried, "
            << ms << " ms\n";
}

TEST_F(PgJobQueueTest, ConcurrentClaimsAtSerializableStayCorrectThroughRetries) {
  measure("SERIALIZABLE", "SERIALIZABLE", [this] { return connect(); });
}

// The runner's configuration: claims row-locked (READ COMMITTED), handler units SERIALIZABLE.
TEST_F(PgJobQueueTest, ConcurrentCompletionsAtSerializableBesideReadCommittedClaims) {
  measure("READ COMMITTED", "SERIALIZABLE", [this] { return connect(); });
}

}  // namespace
}  // namespace relais::storage::postgres
