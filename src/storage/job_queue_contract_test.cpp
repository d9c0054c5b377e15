// Storage contract suite, part 2: the job queue, outbox cursors and savepoints
// (domain/jobs/job_queue.hpp, Transaction::savepoint), run against every engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "domain/records/values.hpp"
#include "domain/schema/entity_schema.hpp"
#include "storage/store_contract.hpp"

namespace relais::storage::testing {
namespace {

using domain::Job;
using domain::JobClaim;
using domain::JobStatus;
using domain::NewJob;
using domain::Transaction;

NewJob job_of(std::string kind, Json payload = Json::object(), std::int64_t run_at_ms = 0) {
  NewJob job;
  job.kind = std::move(kind);
  job.payload = std::move(payload);
  job.run_at_ms = run_at_ms;
  return job;
}

// A moment safely after every job enqueued "now" by the tests below.
std::int64_t soon() { return domain::now_epoch_ms() + 1'000; }

}  // namespace

TEST_P(StoreContractTest, JobsEnqueueOnceByIdempotencyKeyAndValidate) {
  write([&](Transaction& tx) -> Result<Json> {
    NewJob keyed = job_of("mail.send", Json{{"to", "a@b.fr"}});
    keyed.idempotency_key = "mail#1";
    RELAIS_ASSIGN_OR_RETURN(auto first, tx.jobs().enqueue(keyed));
    keyed.payload = Json{{"to", "other@b.fr"}};
    RELAIS_ASSIGN_OR_RETURN(auto again, tx.jobs().enqueue(keyed));
    EXPECT_EQ(first, again);
    RELAIS_ASSIGN_OR_RETURN(auto unkeyed, tx.jobs().enqueue(job_of("mail.send")));
    EXPECT_NE(unkeyed, first);
    RELAIS_ASSIGN_OR_RETURN(Job job, tx.jobs().get(first));
    EXPECT_EQ(job.kind, "mail.send");
    EXPECT_EQ(job.payload, (Json{{"to", "a@b.fr"}}));  // the first enqueue wins
    EXPECT_EQ(job.status, JobStatus::kQueued);
    EXPECT_EQ(job.attempts, 0);
    EXPECT_FALSE(job.progress.has_value());
    EXPECT_TRUE(job.last_error.empty());

    auto no_kind = tx.jobs().enqueue(job_of(""));
    EXPECT_EQ(no_kind.error().code, ErrorCode::kValidationFailed);
    NewJob no_attempts = job_of("x");
    no_attempts.max_attempts = 0;
    EXPECT_EQ(tx.jobs().enqueue(no_attempts).error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(tx.jobs().get(987654).error().code, ErrorCode::kNotFound);
    return Json();
  });
}

TEST_P(StoreContractTest, JobsEnqueuedInAFailedUnitDoNotExist) {
  auto r = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().enqueue(job_of("doomed")));
    return Error::validation("the causing change failed");
  });
  EXPECT_FALSE(r.ok());
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.jobs().list({}));
    EXPECT_TRUE(page.items.empty());
    EXPECT_FALSE(tx.jobs().next_due_ms().has_value());
    return Json();
  });
}

TEST_P(StoreContractTest, JobsClaimLeasesDueJobsOldestFirstAndOnlyOnce) {
  const std::int64_t now = soon();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().enqueue(job_of("k", {{"n", 3}}, now - 100)));
    RELAIS_TRY(tx.jobs().enqueue(job_of("k", {{"n", 1}}, now - 300)));
    RELAIS_TRY(tx.jobs().enqueue(job_of("k", {{"n", 2}}, now - 200)));
    RELAIS_TRY(tx.jobs().enqueue(job_of("k", {{"n", 9}}, now + 60'000)));  // not due
    RELAIS_TRY(tx.jobs().enqueue(job_of("other", {{"n", 0}}, now - 500)));
    return Json();
  });
  read([&](Transaction& tx) -> Result<Json> {
    EXPECT_EQ(tx.jobs().next_due_ms(), now - 500);
    return Json();
  });
  write([&](Transaction& tx) -> Result<Json> {
    auto jobs = tx.jobs().claim(JobClaim{"w1", 2, now, 30'000, {"k"}});
    EXPECT_EQ(jobs.size(), 2U);
    if (jobs.size() == 2) {
      EXPECT_EQ(jobs[0].payload["n"], 1);
      EXPECT_EQ(jobs[1].payload["n"], 2);
      EXPECT_EQ(jobs[0].status, JobStatus::kRunning);
      EXPECT_EQ(jobs[0].attempts, 1);
      EXPECT_EQ(jobs[0].lease_owner, "w1");
      EXPECT_EQ(jobs[0].lease_until_ms, now + 30'000);
    }
    auto rest = tx.jobs().claim(JobClaim{"w2", 10, now, 30'000, {}});
    EXPECT_EQ(rest.size(), 2U);  // n=3 and "other"; the leased ones and the future one stay
    std::set<std::string> kinds;
    for (const auto& j : rest) kinds.insert(j.kind);
    EXPECT_EQ(kinds, (std::set<std::string>{"k", "other"}));
    EXPECT_TRUE(tx.jobs().claim(JobClaim{"w3", 10, now, 30'000, {}}).empty());
    return Json();
  });
}

TEST_P(StoreContractTest, JobsFinishOnlyWhileTheLeaseIsHeld) {
  const std::int64_t now = soon();
  std::int64_t id = 0;
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(job_of("k")));
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w1", 1, now, 1'000, {}}).size(), 1U);
    return Json();
  });
  write([&](Transaction& tx) -> Result<Json> {
    // Before expiry nobody else gets it; after, another worker does and the first loses it.
    EXPECT_TRUE(tx.jobs().claim(JobClaim{"w2", 1, now + 999, 1'000, {}}).empty());
    auto taken = tx.jobs().claim(JobClaim{"w2", 1, now + 1'000, 1'000, {}});
    EXPECT_EQ(taken.size(), 1U);
    if (!taken.empty()) {
      EXPECT_EQ(taken[0].attempts, 2);
    }
    EXPECT_EQ(tx.jobs().complete(id, "w1", nullptr, now + 1'001).error().code,
              ErrorCode::kConflict);
    EXPECT_EQ(tx.jobs().fail(id, "w1", "x", now, now + 1'001).error().code, ErrorCode::kConflict);
    EXPECT_EQ(tx.jobs()
                  .checkpoint(id, "w1", nullptr, std::nullopt, now + 5'000, now + 1'001)
                  .error()
                  .code,
              ErrorCode::kConflict);
    EXPECT_EQ(tx.jobs().release(id, "w1", now + 1'001).error().code, ErrorCode::kConflict);
    RELAIS_TRY(tx.jobs().complete(id, "w2", Json{{"sent", 3}}, now + 1'002));
    EXPECT_EQ(tx.jobs().complete(id, "w2", nullptr, now + 1'003).error().code,
              ErrorCode::kConflict);  // done is final
    RELAIS_ASSIGN_OR_RETURN(Job job, tx.jobs().get(id));
    EXPECT_EQ(job.status, JobStatus::kDone);
    EXPECT_EQ(job.result, (Json{{"sent", 3}}));
    EXPECT_EQ(job.finished_at_ms, now + 1'002);
    EXPECT_TRUE(job.lease_owner.empty());
    EXPECT_TRUE(tx.jobs().claim(JobClaim{"w3", 1, now + 99'000, 1'000, {}}).empty());
    return Json();
  });
}

TEST_P(StoreContractTest, JobsRetryAfterFailureThenDeadLetterAndAdminRetry) {
  const std::int64_t now = soon();
  std::int64_t id = 0;
  write([&](Transaction& tx) -> Result<Json> {
    NewJob job = job_of("k");
    job.max_attempts = 2;
    RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(job));
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 1, now, 1'000, {}}).size(), 1U);
    RELAIS_TRY(tx.jobs().fail(id, "w", "SMTP 451", now + 5'000, now));
    RELAIS_ASSIGN_OR_RETURN(Job failed, tx.jobs().get(id));
    EXPECT_EQ(failed.status, JobStatus::kFailed);
    EXPECT_EQ(failed.last_error, "SMTP 451");
    EXPECT_EQ(failed.run_at_ms, now + 5'000);
    EXPECT_TRUE(tx.jobs().claim(JobClaim{"w", 1, now + 4'999, 1'000, {}}).empty());
    auto again = tx.jobs().claim(JobClaim{"w", 1, now + 5'000, 1'000, {}});
    EXPECT_EQ(again.size(), 1U);
    if (!again.empty()) {
      EXPECT_EQ(again[0].attempts, 2);
    }
    RELAIS_TRY(tx.jobs().fail(id, "w", "SMTP 550", std::nullopt, now + 5'001));
    RELAIS_ASSIGN_OR_RETURN(Job dead, tx.jobs().get(id));
    EXPECT_EQ(dead.status, JobStatus::kDead);
    EXPECT_EQ(dead.finished_at_ms, now + 5'001);
    EXPECT_TRUE(tx.jobs().claim(JobClaim{"w", 1, now + 999'999, 1'000, {}}).empty());

    RELAIS_ASSIGN_OR_RETURN(Job retried, tx.jobs().retry(id, now + 6'000));
    EXPECT_EQ(retried.status, JobStatus::kQueued);
    EXPECT_EQ(retried.attempts, 0);
    EXPECT_EQ(retried.run_at_ms, now + 6'000);
    EXPECT_EQ(retried.finished_at_ms, 0);
    EXPECT_EQ(retried.last_error, "SMTP 550");                               // kept: why it died
    EXPECT_EQ(tx.jobs().retry(id, now).error().code, ErrorCode::kConflict);  // queued already
    EXPECT_EQ(tx.jobs().retry(424242, now).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 1, now + 6'000, 1'000, {}}).size(), 1U);
    return Json();
  });
}

TEST_P(StoreContractTest, JobsReleaseUncountsTheAttemptAndCheckpointKeepsTheLease) {
  const std::int64_t now = soon();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto a, tx.jobs().enqueue(job_of("k")));
    RELAIS_ASSIGN_OR_RETURN(auto b, tx.jobs().enqueue(job_of("k")));
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 2, now, 1'000, {}}).size(), 2U);
    RELAIS_TRY(tx.jobs().release(a, "w", now + 10));
    RELAIS_ASSIGN_OR_RETURN(Job released, tx.jobs().get(a));
    EXPECT_EQ(released.status, JobStatus::kQueued);
    EXPECT_EQ(released.attempts, 0);
    EXPECT_EQ(released.run_at_ms, now + 10);

    RELAIS_TRY(tx.jobs().checkpoint(b, "w", Json{{"after_id", 500}},
                                    domain::JobProgress{500, 2'000}, now + 60'000, now + 20));
    RELAIS_ASSIGN_OR_RETURN(Job long_job, tx.jobs().get(b));
    EXPECT_EQ(long_job.status, JobStatus::kRunning);
    EXPECT_EQ(long_job.state, (Json{{"after_id", 500}}));
    EXPECT_TRUE(long_job.progress.has_value());
    if (long_job.progress) {
      EXPECT_EQ(long_job.progress->done, 500);
      EXPECT_EQ(long_job.progress->total, 2'000);
    }
    EXPECT_EQ(long_job.lease_until_ms, now + 60'000);
    // The renewed lease holds past the first one's expiry: only the released job is claimed.
    auto claimed = tx.jobs().claim(JobClaim{"w2", 5, now + 5'000, 1'000, {}});
    EXPECT_EQ(claimed.size(), 1U);
    if (!claimed.empty()) {
      EXPECT_EQ(claimed[0].id, a);
    }
    return Json();
  });
}

TEST_P(StoreContractTest, JobsListByStatusAndKindNewestFirstInPages) {
  const std::int64_t now = soon();
  write([&](Transaction& tx) -> Result<Json> {
    for (int i = 0; i < 7; ++i) RELAIS_TRY(tx.jobs().enqueue(job_of(i % 2 ? "odd" : "even")));
    auto claimed = tx.jobs().claim(JobClaim{"w", 1, now, 1'000, {"even"}});
    EXPECT_EQ(claimed.size(), 1U);
    return Json();
  });
  read([&](Transaction& tx) -> Result<Json> {
    domain::JobListQuery all;
    all.limit = 3;
    std::vector<std::int64_t> ids;
    for (int page = 0; page < 5; ++page) {
      RELAIS_ASSIGN_OR_RETURN(auto p, tx.jobs().list(all));
      for (const auto& j : p.items) ids.push_back(j.id);
      if (!p.next_cursor) break;
      all.cursor = *p.next_cursor;
    }
    EXPECT_EQ(ids.size(), 7U);
    EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
    domain::JobListQuery odd;
    odd.kind = "odd";
    RELAIS_ASSIGN_OR_RETURN(auto odds, tx.jobs().list(odd));
    EXPECT_EQ(odds.items.size(), 3U);
    domain::JobListQuery running;
    running.status = JobStatus::kRunning;
    RELAIS_ASSIGN_OR_RETURN(auto run, tx.jobs().list(running));
    EXPECT_EQ(run.items.size(), 1U);
    domain::JobListQuery bad;
    bad.cursor = "not-a-cursor";
    EXPECT_EQ(tx.jobs().list(bad).error().code, ErrorCode::kValidationFailed);
    return Json();
  });
}

TEST_P(StoreContractTest, JobEffectAndCompletionCommitTogetherOrNotAtAll) {
  const auto& notes = domain::note_schema();
  const std::int64_t now = soon();
  std::int64_t id = 0;
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(job_of("k")));
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 1, now, 1'000, {}}).size(), 1U);
    return Json();
  });
  // The unit writes the effect and completes, then fails: neither is kept.
  auto failed = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert(notes, Json{{"body", "effect"}}));
    RELAIS_TRY(tx.jobs().complete(id, "w", nullptr, now));
    return Error::internal("crash before commit");
  });
  EXPECT_FALSE(failed.ok());
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto count, tx.count(notes, {}));
    EXPECT_EQ(count, 0);
    RELAIS_ASSIGN_OR_RETURN(Job job, tx.jobs().get(id));
    EXPECT_EQ(job.status, JobStatus::kRunning);
    return Json();
  });
  // A worker that lost its lease gets a conflict, so its effect rolls back with it.
  write([&](Transaction& tx) -> Result<Json> {
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w2", 1, now + 1'000, 1'000, {}}).size(), 1U);
    return Json();
  });
  auto late = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert(notes, Json{{"body", "late effect"}}));
    RELAIS_TRY(tx.jobs().complete(id, "w", nullptr, now + 1'001));
    return Json();
  });
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto count, tx.count(notes, {}));
    EXPECT_EQ(count, 0);
    return Json();
  });
}

TEST_P(StoreContractTest, SavepointUndoesOnlyItsOwnWritesAndTheUnitGoesOn) {
  const auto& contacts = domain::contact_schema();
  const Json result = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json kept, tx.insert(contacts, Json{{"first_name", "Kept"}}));
    const auto kept_id = kept["id"].get<std::int64_t>();
    RELAIS_TRY(tx.set_contact_emails(kept_id, {"kept@exemple.fr"}));
    // A failed statement (unique e-mail) inside a savepoint: undone, the unit continues.
    auto clash = tx.savepoint([&]() -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(Json other, tx.insert(contacts, Json{{"first_name", "Clash"}}));
      RELAIS_TRY(tx.set_contact_emails(other["id"].get<std::int64_t>(), {"KEPT@exemple.fr"}));
      return other;
    });
    EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
    // Nested: the inner failure undoes the inner write only.
    auto outer = tx.savepoint([&]() -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(Json outer_row, tx.insert(contacts, Json{{"first_name", "Outer"}}));
      auto inner = tx.savepoint([&]() -> Result<Json> {
        RELAIS_TRY(tx.insert(contacts, Json{{"first_name", "Inner"}}));
        return Error::validation("inner step refused");
      });
      EXPECT_FALSE(inner.ok());
      return outer_row;
    });
    EXPECT_TRUE(outer.ok());
    // An exception also undoes the savepoint's writes, and propagates.
    EXPECT_THROW((void)tx.savepoint([&]() -> Result<Json> {
      RELAIS_TRY(tx.insert(contacts, Json{{"first_name", "Thrown"}}));
      throw std::runtime_error("handler bug");
    }),
                 std::runtime_error);
    RELAIS_TRY(tx.insert(contacts, Json{{"first_name", "After"}}));
    return Json{{"kept", kept_id}};
  });
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.list(contacts, {}));
    std::set<std::string> names;
    for (const auto& c : page.items) names.insert(c["first_name"].get<std::string>());
    EXPECT_EQ(names, (std::set<std::string>{"Kept", "Outer", "After"}));
    EXPECT_EQ(tx.find_contact_by_email("kept@exemple.fr"), result["kept"].get<std::int64_t>());
    return Json();
  });
}

TEST_P(StoreContractTest, JobsClaimedByTwoStoresOnOneDatabaseRunExactlyOnce) {
  constexpr int kJobs = 400;
  write([&](Transaction& tx) -> Result<Json> {
    for (int i = 0; i < kJobs; ++i) RELAIS_TRY(tx.jobs().enqueue(job_of("k", {{"n", i}})));
    return Json();
  });
  auto second = GetParam().open(dir_->path());  // another process's store
  ASSERT_TRUE(second.ok()) << second.error().message;
  std::vector<domain::Store*> stores{store_.get(), second->get()};
  std::mutex mutex;
  std::map<int, int> completions;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      domain::Store& store = *stores[t % 2];
      const std::string worker = "w" + std::to_string(t);
      for (;;) {
        std::vector<Job> jobs;
        // As the runner claims: in a row-locked unit (PostgreSQL: READ COMMITTED).
        auto claimed = store.write_row_locked([&](Transaction& tx) -> Result<Json> {
          jobs = tx.jobs().claim(JobClaim{worker, 7, soon(), 60'000, {}});
          return Json();
        });
        if (!claimed.ok() || jobs.empty()) break;
        auto done = store.write([&](Transaction& tx) -> Result<Json> {
          for (const auto& job : jobs) {
            auto r = tx.jobs().complete(job.id, worker, nullptr, soon());
            if (!r.ok()) ++conflicts;
          }
          return Json();
        });
        if (!done.ok()) break;
        std::lock_guard lock(mutex);
        for (const auto& job : jobs) ++completions[job.payload["n"].get<int>()];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), 0);
  EXPECT_EQ(completions.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [n, times] : completions) EXPECT_EQ(times, 1) << "job " << n;
}

TEST_P(StoreContractTest, JobsHeldInAUnitAreCompletedTogetherWithTheirResults) {
  const std::int64_t now = soon();
  std::vector<std::int64_t> ids;
  std::int64_t theirs = 0;
  std::int64_t waiting = 0;
  write([&](Transaction& tx) -> Result<Json> {
    for (int i = 0; i < 3; ++i) {
      RELAIS_ASSIGN_OR_RETURN(auto id, tx.jobs().enqueue(job_of("k", {{"n", i}})));
      ids.push_back(id);
    }
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 3, now, 60'000, {}}).size(), 3U);
    RELAIS_ASSIGN_OR_RETURN(theirs, tx.jobs().enqueue(job_of("k")));
    EXPECT_EQ(tx.jobs().claim(JobClaim{"other", 1, now, 60'000, {}}).size(), 1U);
    RELAIS_ASSIGN_OR_RETURN(waiting, tx.jobs().enqueue(job_of("k", {}, now + 60'000)));
    return Json();
  });
  write([&](Transaction& tx) -> Result<Json> {
    // Only running jobs leased to the asking worker are held.
    std::vector<std::int64_t> asked = ids;
    asked.push_back(theirs);
    asked.push_back(waiting);
    asked.push_back(987654);
    std::vector<std::int64_t> held = tx.jobs().hold(asked, "w");
    std::sort(held.begin(), held.end());
    EXPECT_EQ(held, ids);
    EXPECT_TRUE(tx.jobs().hold({}, "w").empty());
    RELAIS_TRY(tx.jobs().complete_held(
        {{ids[0], Json{{"sent", 3}}}, {ids[1], nullptr}, {ids[2], Json("text")}}, "w", now + 5));
    RELAIS_TRY(tx.jobs().complete_held({}, "w", now + 6));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      RELAIS_ASSIGN_OR_RETURN(Job job, tx.jobs().get(ids[i]));
      EXPECT_EQ(job.status, JobStatus::kDone);
      EXPECT_EQ(job.finished_at_ms, now + 5);
      EXPECT_EQ(job.updated_at_ms, now + 5);
      EXPECT_TRUE(job.lease_owner.empty());
      EXPECT_EQ(job.lease_until_ms, 0);
    }
    EXPECT_EQ(tx.jobs().get(ids[0])->result, (Json{{"sent", 3}}));
    EXPECT_TRUE(tx.jobs().get(ids[1])->result.is_null());
    EXPECT_EQ(tx.jobs().get(ids[2])->result, Json("text"));
    return Json();
  });
  // A job not leased to the worker (done now, or another's) fails the whole call.
  auto refused = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().complete_held({{ids[0], nullptr}, {theirs, nullptr}}, "w", now + 7));
    return Json();
  });
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Job job, tx.jobs().get(theirs));
    EXPECT_EQ(job.status, JobStatus::kRunning);
    EXPECT_EQ(job.lease_owner, "other");
    return Json();
  });
}

TEST_P(StoreContractTest, JobsHeldAreNotClaimedByAnotherStoreEvenOnceTheirLeaseExpires) {
  const std::int64_t now = soon();
  std::vector<std::int64_t> ids;
  write([&](Transaction& tx) -> Result<Json> {
    for (int i = 0; i < 2; ++i) {
      RELAIS_ASSIGN_OR_RETURN(auto id, tx.jobs().enqueue(job_of("k")));
      ids.push_back(id);
    }
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 2, now, 1'000, {}}).size(), 2U);
    return Json();
  });
  auto second = GetParam().open(dir_->path());  // another process's store
  ASSERT_TRUE(second.ok()) << second.error().message;
  std::atomic<std::size_t> taken{99};
  std::thread other;
  auto held = store_->write([&](Transaction& tx) -> Result<Json> {
    EXPECT_EQ(tx.jobs().hold(ids, "w").size(), 2U);
    // Another server claims after the leases expired, while this unit still holds the jobs.
    // PostgreSQL: it passes over the held rows at once. SQLite: its single writer waits for
    // this unit to end, then finds the jobs done. Either way it gets none of them.
    if (!other.joinable()) {  // once, should the engine run this unit again
      other = std::thread([&] {
        (void)(*second)->write_row_locked([&](Transaction& tx2) -> Result<Json> {
          taken = tx2.jobs().claim(JobClaim{"w2", 2, now + 5'000, 1'000, {}}).size();
          return Json();
        });
      });
    }
    for (int i = 0; i < 50 && taken.load() == 99; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    RELAIS_TRY(tx.jobs().complete_held({{ids[0], nullptr}, {ids[1], nullptr}}, "w", now + 5'001));
    return Json();
  });
  if (other.joinable()) other.join();
  ASSERT_TRUE(held.ok()) << held.error().message;
  EXPECT_EQ(taken.load(), 0U);
  read([&](Transaction& tx) -> Result<Json> {
    for (auto id : ids) EXPECT_EQ(tx.jobs().get(id)->status, JobStatus::kDone);
    return Json();
  });
}

TEST_P(StoreContractTest, OutboxConsumersKeepTheirOwnCursors) {
  write([&](Transaction& tx) -> Result<Json> {
    EXPECT_EQ(tx.jobs().outbox_head(), domain::OutboxPosition{});
    EXPECT_FALSE(tx.jobs().consumer_cursor("scoring").has_value());
    for (int i = 1; i <= 5; ++i) {
      tx.record_event({"contact.created", "contact", i, 0, Json{{"n", i}}});
    }
    return Json();
  });
  domain::OutboxPosition head;
  domain::OutboxPosition third;
  read_once_settled([](Transaction& tx) { return tx.jobs().outbox_after({}, 10).size() >= 5; },
                    [&](Transaction& tx) -> Result<Json> {
                      head = tx.jobs().outbox_head();
                      auto events = tx.jobs().outbox_after({}, 3);
                      EXPECT_EQ(events.size(), 3U);
                      if (events.size() == 3) {
                        EXPECT_EQ(events[0].type, "contact.created");
                        EXPECT_EQ(events[0].entity, "contact");
                        EXPECT_EQ(events[0].payload, (Json{{"n", 1}}));
                        EXPECT_LT(events[0].id, events[1].id);
                        EXPECT_LT(events[0].position, events[1].position);
                        EXPECT_TRUE(domain::is_storage_timestamp(events[0].at));
                        third = events[2].position;
                      }
                      EXPECT_EQ(tx.jobs().outbox_after(head, 10).size(), 0U);
                      return Json();
                    });
  write([&](Transaction& tx) -> Result<Json> {
    tx.jobs().set_consumer_cursor("scoring", third);
    tx.jobs().set_consumer_cursor("webhooks", head);
    return Json();
  });
  reopen();
  read_once_settled(
      [&](Transaction& tx) { return tx.jobs().outbox_head() == head; },
      [&](Transaction& tx) -> Result<Json> {
        const auto scoring = tx.jobs().consumer_cursor("scoring");
        EXPECT_TRUE(scoring.has_value());
        EXPECT_EQ(tx.jobs().outbox_after(scoring.value_or(domain::OutboxPosition{}), 10).size(),
                  2U);
        EXPECT_EQ(tx.jobs().consumer_cursor("webhooks"), tx.jobs().outbox_head());
        return Json();
      });
  // Retention: only what is below the given id and older than the given instant goes.
  write([&](Transaction& tx) -> Result<Json> {
    const auto scoring = tx.jobs().consumer_cursor("scoring").value_or(domain::OutboxPosition{});
    EXPECT_EQ(tx.jobs().prune_outbox(scoring, "2000-01-01T00:00:00.000Z", 100), 0);
    EXPECT_EQ(tx.jobs().prune_outbox(scoring, domain::format_epoch_ms(soon()), 2), 2);
    EXPECT_EQ(tx.jobs().prune_outbox(scoring, domain::format_epoch_ms(soon()), 100), 1);
    EXPECT_EQ(tx.jobs().outbox_after({}, 10).size(), 2U);
    return Json();
  });
}

TEST_P(StoreContractTest, DoneJobsArePrunedDeadJobsKept) {
  const std::int64_t now = soon();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto done, tx.jobs().enqueue(job_of("k")));
    RELAIS_ASSIGN_OR_RETURN(auto dead, tx.jobs().enqueue(job_of("k")));
    RELAIS_TRY(tx.jobs().enqueue(job_of("k", {}, now + 999'999)));  // still waiting
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 2, now, 1'000, {}}).size(), 2U);
    RELAIS_TRY(tx.jobs().complete(done, "w", nullptr, now));
    RELAIS_TRY(tx.jobs().fail(dead, "w", "gave up", std::nullopt, now));
    EXPECT_EQ(tx.jobs().prune_done_jobs(now, 100), 0);  // finished at `now`, not before
    EXPECT_EQ(tx.jobs().prune_done_jobs(now + 1, 100), 1);
    EXPECT_EQ(tx.jobs().get(done).error().code, ErrorCode::kNotFound);
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.jobs().list({}));
    EXPECT_EQ(page.items.size(), 2U);
    return Json();
  });
}

// The progress stream's source: every change of a job moves it after every position already
// read, and a reader sees each job once, as it is now.
TEST_P(StoreContractTest, JobChangesFollowEveryChangeOfAJobInOrder) {
  const std::int64_t now = soon();
  std::int64_t a = 0;
  std::int64_t b = 0;
  domain::JobChangePosition mark;
  write([&](Transaction& tx) -> Result<Json> {
    EXPECT_EQ(tx.jobs().change_head(), domain::JobChangePosition{});
    EXPECT_TRUE(tx.jobs().changes_after({}, 10).empty());
    RELAIS_ASSIGN_OR_RETURN(a, tx.jobs().enqueue(job_of("long")));
    RELAIS_ASSIGN_OR_RETURN(b, tx.jobs().enqueue(job_of("short")));
    return Json();
  });
  // Each reader waits until what it must see has passed the horizon (late is allowed).
  auto ready_after = [&](std::size_t count) {
    return [&mark, count](Transaction& tx) {
      return tx.jobs().changes_after(mark, 10).size() >= count;
    };
  };
  read_once_settled(ready_after(2), [&](Transaction& tx) -> Result<Json> {
    auto changes = tx.jobs().changes_after({}, 10);
    EXPECT_EQ(changes.size(), 2U);
    if (changes.size() == 2) {
      EXPECT_EQ(changes[0].job.id, a);
      EXPECT_EQ(changes[1].job.id, b);
      EXPECT_LT(changes[0].position, changes[1].position);
      EXPECT_EQ(changes[1].job.kind, "short");
      EXPECT_EQ(tx.jobs().change_head(), changes[1].position);
      EXPECT_EQ(tx.jobs().changes_after({}, 1).size(), 1U);  // the limit holds
    }
    mark = tx.jobs().change_head();
    EXPECT_TRUE(tx.jobs().changes_after(mark, 10).empty());
    return Json();
  });
  // Claimed together, then `a` checkpoints twice: each job once, in its latest state.
  write([&](Transaction& tx) -> Result<Json> {
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 2, now, 60'000, {}}).size(), 2U);
    RELAIS_TRY(tx.jobs().checkpoint(a, "w", Json{{"at", 1}}, domain::JobProgress{1, 4},
                                    now + 60'000, now));
    return Json();
  });
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().checkpoint(a, "w", Json{{"at", 3}}, domain::JobProgress{3, 4},
                                    now + 60'000, now));
    return Json();
  });
  read_once_settled(ready_after(2), [&](Transaction& tx) -> Result<Json> {
    auto changes = tx.jobs().changes_after(mark, 10);
    EXPECT_EQ(changes.size(), 2U);
    if (changes.size() == 2) {
      EXPECT_EQ(changes[0].job.id, b);  // b's last change (the claim) came before a's
      EXPECT_EQ(changes[0].job.status, JobStatus::kRunning);
      EXPECT_EQ(changes[1].job.id, a);
      EXPECT_TRUE(changes[1].job.progress.has_value());
      EXPECT_EQ(changes[1].job.progress.value_or(domain::JobProgress{}).done, 3);
      EXPECT_LT(mark, changes[0].position);
      EXPECT_EQ(tx.jobs().change_head(), changes[1].position);
    }
    mark = tx.jobs().change_head();
    return Json();
  });
  // Completion, dead-lettering, an admin retry and a release each move the job again; a
  // unit that fails moves nothing.
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().complete(a, "w", Json{{"ok", true}}, now));
    RELAIS_TRY(tx.jobs().fail(b, "w", "broken", std::nullopt, now));
    return Json();
  });
  EXPECT_FALSE(store_
                   ->write([&](Transaction& tx) -> Result<Json> {
                     RELAIS_TRY(tx.jobs().retry(b, now));
                     return Error::validation("rolled back");
                   })
                   .ok());
  read_once_settled(ready_after(2), [&](Transaction& tx) -> Result<Json> {
    auto changes = tx.jobs().changes_after(mark, 10);
    EXPECT_EQ(changes.size(), 2U);
    if (changes.size() == 2) {
      EXPECT_EQ(changes[0].job.status, JobStatus::kDone);
      EXPECT_EQ(changes[1].job.status, JobStatus::kDead);
      EXPECT_EQ(changes[1].job.last_error, "broken");
    }
    mark = tx.jobs().change_head();
    return Json();
  });
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.jobs().retry(b, now));
    EXPECT_EQ(tx.jobs().claim(JobClaim{"w", 1, now, 60'000, {}}).size(), 1U);
    RELAIS_TRY(tx.jobs().release(b, "w", now));
    return Json();
  });
  read_once_settled(ready_after(1), [&](Transaction& tx) -> Result<Json> {
    auto changes = tx.jobs().changes_after(mark, 10);
    EXPECT_EQ(changes.size(), 1U);
    if (!changes.empty()) {
      EXPECT_EQ(changes[0].job.id, b);
      EXPECT_EQ(changes[0].job.status, JobStatus::kQueued);
    }
    return Json();
  });
}

// Writers on two stores (two servers) enqueue and finish jobs while a reader follows the
// changes from its last position: once the writers are done, the reader has seen every job
// finished. On PostgreSQL a change numbered before another can commit after it; a reader that
// skipped past it would keep that job's older state for ever.
TEST_P(StoreContractTest, JobChangesReadFromAPositionMissNothingWhileOthersWrite) {
  constexpr int kWriters = 4;
  constexpr int kJobsEach = 60;
  constexpr std::size_t kJobs = std::size_t{kWriters} * kJobsEach;
  auto second = GetParam().open(dir_->path());
  ASSERT_TRUE(second.ok()) << second.error().message;
  std::vector<domain::Store*> stores{store_.get(), second->get()};
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> writers;
  writers.reserve(kWriters);
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      domain::Store& store = *stores[t % 2];
      const std::string worker = "w" + std::to_string(t);
      for (int i = 0; i < kJobsEach; ++i) {
        std::int64_t id = 0;
        (void)store.write([&](Transaction& tx) -> Result<Json> {
          RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(job_of("k" + std::to_string(t))));
          return Json();
        });
        (void)store.write_row_locked([&](Transaction& tx) -> Result<Json> {
          (void)tx.jobs().claim(JobClaim{worker, 1, soon(), 60'000, {"k" + std::to_string(t)}});
          return Json();
        });
        (void)store.write([&](Transaction& tx) -> Result<Json> {
          (void)tx.jobs().complete(id, worker, nullptr, soon());
          return Json();
        });
      }
      --writers_left;
    });
  }
  std::map<std::int64_t, JobStatus> seen;
  domain::JobChangePosition cursor;
  auto poll = [&] {
    bool more = true;
    while (more) {
      read([&](Transaction& tx) -> Result<Json> {
        auto changes = tx.jobs().changes_after(cursor, 50);
        for (const auto& change : changes) {
          EXPECT_LT(cursor, change.position);
          cursor = change.position;
          seen[change.job.id] = change.job.status;
        }
        more = changes.size() == 50;
        return Json();
      });
    }
  };
  while (writers_left > 0) poll();
  for (auto& th : writers) th.join();
  // Held back is allowed (on PostgreSQL a transaction still running anywhere on the cluster
  // can hold the horizon for a moment), lost is not: keep reading from the same position.
  auto not_done = [&] {
    int count = 0;
    for (const auto& [id, status] : seen) count += status == JobStatus::kDone ? 0 : 1;
    return count;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    poll();
  } while ((seen.size() < kJobs || not_done() > 0) && std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(seen.size(), kJobs);
  EXPECT_EQ(not_done(), 0);
}

}  // namespace relais::storage::testing
