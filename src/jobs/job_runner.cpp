#include "jobs/job_runner.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/crypto.hpp"
#include "domain/unit_aborted.hpp"

namespace relais::jobs {
namespace {

using domain::Job;
using domain::Transaction;

std::string default_worker_name() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + crypto::random_token(6);
}

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json event_json(const domain::OutboxEvent& e) {
  return Json{{"event_id", e.id},         {"at", e.at},
              {"type", e.type},           {"entity", e.entity},
              {"record_id", e.record_id}, {"actor_user_id", e.actor_user_id},
              {"payload", e.payload}};
}

// The start of the next period after `now_ms`: recurring jobs run on period boundaries, so
// every server computes the same slot and the idempotency key keeps one job per slot.
std::int64_t next_slot(std::int64_t now_ms, std::int64_t every_ms) {
  return (now_ms / every_ms + 1) * every_ms;
}

domain::NewJob recurring_job(const JobKind& kind, std::int64_t now_ms) {
  const std::int64_t slot = next_slot(now_ms, kind.every_ms);
  domain::NewJob job;
  job.kind = kind.name;
  job.run_at_ms = slot;
  job.max_attempts = kind.max_attempts;
  job.idempotency_key = kind.name + "@" + std::to_string(slot);
  return job;
}

}  // namespace

bool event_type_matches(const std::string& pattern, const std::string& type) {
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
    return type.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return pattern == "*" || pattern == type;
}

JobRunner::JobRunner(domain::Store& store, const JobRegistry& registry, RunnerOptions options)
    : store_(store), registry_(registry), options_(std::move(options)) {
  worker_ = options_.worker_name.empty() ? default_worker_name() : options_.worker_name;
  kinds_ = registry_.kind_names();
  options_.threads = std::max(options_.threads, 1);
  options_.batch = std::clamp(options_.batch, 1, 1000);
  if (options_.idle_poll_ms <= 0) {
    options_.idle_poll_ms =
        store_.signals_reach_other_processes() ? kSignalledIdlePollMs : kIdlePollMs;
  }
}

JobRunner::~JobRunner() { stop(); }

std::int64_t JobRunner::now_ms() const {
  return options_.clock ? options_.clock() : system_now_ms();
}

void JobRunner::start() {
  if (auto r = start_new_consumers(); !r.ok()) {
    spdlog::warn("jobs: cannot start the outbox consumers: {}", r.error().message);
  }
  stop_flag_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  jobs_due_signal_ =
      store_.subscribe(domain::Topic::kJobsDue, [this](const domain::Signal&) { notify(); });
  if (!registry_.consumers().empty()) {
    outbox_signal_ = store_.subscribe(domain::Topic::kOutbox, [this](const domain::Signal&) {
      {
        std::lock_guard lock(mutex_);
        outbox_written_ = true;
      }
      wake_.notify_all();
    });
  }
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { thread_loop(i); });
  spdlog::info("jobs: worker {} started with {} threads, kinds: {}", worker_, options_.threads,
               fmt::join(kinds_, ", "));
}

void JobRunner::stop() {
  if (threads_.empty()) return;
  stop_flag_ = true;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  jobs_due_signal_.reset();
  outbox_signal_.reset();
  spdlog::info("jobs: worker {} stopped", worker_);
}

void JobRunner::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

bool JobRunner::wait_idle(std::int64_t until_ms, bool dispatcher) {
  const std::int64_t wait = std::max<std::int64_t>(until_ms - now_ms(), 1);
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(wait),
                 [&] { return stopping_ || notified_ || (dispatcher && outbox_written_); });
  return std::exchange(notified_, false);
}

void JobRunner::thread_loop(int index) {
  std::mt19937_64 rng(std::random_device{}() ^ static_cast<std::uint64_t>(index));
  std::int64_t lease_ms = 1'000;
  for (const auto& [name, kind] : registry_.kinds()) lease_ms = std::max(lease_ms, kind.lease_ms);
  std::vector<Job> carried;  // long jobs between chunks, still leased to us
  std::int64_t next_schedule_ms = 0;
  bool signalled = false;  // the last idle wait ended with a due-job signal
  while (!stop_flag_) {
    if (index == 0) {
      if (now_ms() >= next_schedule_ms) {
        if (auto r = schedule_recurring(); !r.ok()) {
          spdlog::warn("jobs: cannot schedule recurring jobs: {}", r.error().message);
        }
        next_schedule_ms = now_ms() + 60'000;
      }
      {
        std::lock_guard lock(mutex_);
        outbox_written_ = false;  // what is written from here on is dispatched next pass
      }
      if (auto r = dispatch_outbox(); !r.ok()) {
        spdlog::warn("jobs: outbox dispatch failed: {}", r.error().message);
      }
    }
    std::vector<Job> jobs = std::move(carried);
    carried.clear();
    const int room = options_.batch - static_cast<int>(jobs.size());
    if (room > 0 && !kinds_.empty()) {
      const std::int64_t now = now_ms();
      // A read first: an idle runner looks without taking the (single) writer; unless a
      // due-job signal just woke it, then it claims straight away (one round trip less).
      std::optional<std::int64_t> due;
      const bool skipped_read = signalled;
      if (signalled) {
        due = now;
      } else {
        (void)store_.read([&](Transaction& tx) -> Result<Json> {
          due = tx.jobs().next_due_ms();
          return Json();
        });
      }
      signalled = false;
      if (due && *due <= now) {
        domain::JobClaim claim{worker_, room, now, lease_ms, kinds_};
        std::vector<Job> fresh;
        // Row-locked: claims pass over each other's rows, on every engine.
        auto claimed = store_.write_row_locked([&](Transaction& tx) -> Result<Json> {
          fresh = tx.jobs().claim(claim);  // replaced, not appended: a unit may run again
          return Json();
        });
        if (claimed.ok()) {
          for (auto& job : fresh) jobs.push_back(std::move(job));
        } else {
          spdlog::warn("jobs: claim failed: {}", claimed.error().message);
        }
      }
      if (jobs.empty()) {
        if (skipped_read) continue;  // another runner was faster: read when to look again
        const std::int64_t poll = now + options_.idle_poll_ms;
        signalled = wait_idle(due && *due > now ? std::min(*due, poll) : poll, index == 0);
        continue;
      }
    }
    carried = run_batch(std::move(jobs), rng);
  }
  release_all(carried);
}

std::vector<Job> JobRunner::run_batch(std::vector<Job> jobs, std::mt19937_64& rng) {
  std::vector<Job> still_running;
  std::int64_t finished = 0;
  std::vector<std::int64_t> ids;
  ids.reserve(jobs.size());
  for (const Job& job : jobs) ids.push_back(job.id);
  auto outcome = store_.write([&](Transaction& tx) -> Result<Json> {
    // From scratch, and `jobs` left as claimed: the engine may run this unit again.
    still_running.clear();
    finished = 0;
    // Locked until this unit ends: from here on the leases cannot be lost, so each handler's
    // savepoint holds only its own writes and every finished job is completed by one
    // statement at the end, in this same transaction (exactly-once in effect).
    std::vector<std::int64_t> held = tx.jobs().hold(ids, worker_);
    std::sort(held.begin(), held.end());
    std::vector<domain::JobCompletion> completions;
    completions.reserve(jobs.size());
    for (const Job& job : jobs) {
      const std::int64_t now = now_ms();
      // Not held: the lease expired and another worker took the job over; it decides.
      if (!std::binary_search(held.begin(), held.end(), job.id)) continue;
      if (stop_flag_) {
        (void)tx.jobs().release(job.id, worker_, now);
        continue;
      }
      const JobKind* kind = registry_.find(job.kind);
      if (kind == nullptr) continue;  // not claimable by us: claim filters by kind
      if (job.attempts > job.max_attempts) {
        // Its earlier attempts never reported back: the worker died running it (a job that
        // crashes its process, or one killed again and again). Stop trying.
        if (tx.jobs()
                .fail(job.id, worker_,
                      "abandoned: " + std::to_string(job.attempts - 1) +
                          " attempts ended without a result (the worker stopped while running it)",
                      std::nullopt, now)
                .ok()) {
          ++finished;
        }
        continue;
      }
      std::optional<JobStep> done_step;
      Result<Json> ran = tx.savepoint([&]() -> Result<Json> {
        Result<JobStep> step = Error::internal();
        try {
          step = kind->handler(tx, job);
        } catch (const domain::UnitAborted&) {
          throw;  // the whole batch runs again (store.hpp): not the handler's failure
        } catch (const std::exception& e) {
          step = Error::internal(std::string("the handler threw: ") + e.what());
        }
        if (!step.ok()) return step.error();
        const std::int64_t at = now_ms();
        if (step->finished) {
          // Completed with the rest of the batch below (complete_held).
          if (kind->every_ms > 0) RELAIS_TRY(tx.jobs().enqueue(recurring_job(*kind, at)));
        } else {
          RELAIS_TRY(tx.jobs().checkpoint(job.id, worker_, step->state, step->progress,
                                          at + kind->lease_ms, at));
        }
        done_step = std::move(step.value());
        return Json();
      });
      if (ran.ok()) {
        if (done_step->finished) {
          completions.push_back({job.id, std::move(done_step->result)});
          ++finished;
        } else {
          Job next = job;
          next.state = done_step->state;
          next.progress = done_step->progress;
          still_running.push_back(std::move(next));
        }
        continue;
      }
      const Error& error = ran.error();
      const std::optional<std::int64_t> retry_at =
          error.code == ErrorCode::kBadRequest
              ? std::nullopt
              : options_.retry.retry_at(job.attempts, job.max_attempts, now, rng);
      // A refused fail() means the lease is gone: whoever holds the job now decides.
      if (tx.jobs().fail(job.id, worker_, error.message, retry_at, now).ok()) {
        ++finished;
        spdlog::warn("jobs: job {} ({}) attempt {} failed{}: {}", job.id, job.kind, job.attempts,
                     retry_at ? "" : ", dead-lettered", error.message);
      }
    }
    // Every job here is held: a refusal means the engine broke hold()'s promise, and the
    // whole batch rolls back (its jobs run again once their leases expire).
    RELAIS_TRY(tx.jobs().complete_held(completions, worker_, now_ms()));
    return Json();
  });
  if (!outcome.ok()) {
    // Nothing of the batch committed: its jobs stay leased to us until the lease expires,
    // then run again (here or elsewhere). Their effects were rolled back with it.
    spdlog::error("jobs: a batch of {} jobs could not be saved: {}", jobs.size(),
                  outcome.error().message);
    return {};
  }
  handled_ += finished;
  return still_running;
}

void JobRunner::release_all(const std::vector<Job>& jobs) {
  if (jobs.empty()) return;
  auto r = store_.write([&](Transaction& tx) -> Result<Json> {
    for (const Job& job : jobs) (void)tx.jobs().release(job.id, worker_, now_ms());
    return Json();
  });
  if (!r.ok())
    spdlog::warn("jobs: could not give back {} jobs: {}", jobs.size(), r.error().message);
}

Result<int> JobRunner::dispatch_outbox() {
  const auto& consumers = registry_.consumers();
  if (consumers.empty()) return 0;
  // Thread 0 comes here on every pass (when idle: on every signal and idle poll): a read
  // first, so the (single) writer is taken only when some consumer has events to take.
  bool behind = false;
  RELAIS_TRY(store_.read([&](Transaction& tx) -> Result<Json> {
    behind = false;
    const domain::OutboxPosition head = tx.jobs().outbox_head();
    for (const OutboxConsumer& consumer : consumers) {
      const auto cursor = tx.jobs().consumer_cursor(consumer.name);
      behind = behind || !cursor || *cursor < head;
    }
    return Json();
  }));
  if (!behind) return 0;
  constexpr int kEventsPerPass = 500;
  int taken = 0;
  RELAIS_TRY(store_.write([&](Transaction& tx) -> Result<Json> {
    taken = 0;
    auto& queue = tx.jobs();
    for (const OutboxConsumer& consumer : consumers) {
      const std::optional<domain::OutboxPosition> cursor = queue.consumer_cursor(consumer.name);
      if (!cursor) {
        queue.set_consumer_cursor(consumer.name, queue.outbox_head());
        continue;
      }
      const auto events = queue.outbox_after(*cursor, kEventsPerPass);
      if (events.empty()) continue;
      const JobKind* kind = registry_.find(consumer.job_kind);
      for (const auto& event : events) {
        const bool wanted = std::any_of(
            consumer.event_types.begin(), consumer.event_types.end(),
            [&](const std::string& pattern) { return event_type_matches(pattern, event.type); });
        if (!wanted) continue;
        domain::NewJob job;
        job.kind = consumer.job_kind;
        job.payload = event_json(event);
        if (kind != nullptr) job.max_attempts = kind->max_attempts;
        job.idempotency_key = consumer.name + "#" + std::to_string(event.id);
        RELAIS_TRY(queue.enqueue(job));
      }
      queue.set_consumer_cursor(consumer.name, events.back().position);
      taken += static_cast<int>(events.size());
    }
    return Json();
  }));
  return taken;
}

Result<void> JobRunner::start_new_consumers() {
  if (registry_.consumers().empty()) return {};
  RELAIS_TRY(store_.write([&](Transaction& tx) -> Result<Json> {
    for (const OutboxConsumer& consumer : registry_.consumers()) {
      if (!tx.jobs().consumer_cursor(consumer.name)) {
        tx.jobs().set_consumer_cursor(consumer.name, tx.jobs().outbox_head());
      }
    }
    return Json();
  }));
  return {};
}

Result<void> JobRunner::schedule_recurring() {
  bool any = false;
  for (const auto& [name, kind] : registry_.kinds()) any = any || kind.every_ms > 0;
  if (!any) return {};
  RELAIS_TRY(store_.write([&](Transaction& tx) -> Result<Json> {
    const std::int64_t now = now_ms();
    for (const auto& [name, kind] : registry_.kinds()) {
      if (kind.every_ms > 0) RELAIS_TRY(tx.jobs().enqueue(recurring_job(kind, now)));
    }
    return Json();
  }));
  return {};
}

}  // namespace relais::jobs
