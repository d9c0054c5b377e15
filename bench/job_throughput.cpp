// Job queue throughput and pick-up latency on a real store (SQLite or PostgreSQL) and runner.
//
// Throughput ("end to end"): producers enqueue jobs inside the transaction of the change that
// causes them (a contact insert, `--per-unit` jobs per unit of work, on `--producers`
// threads), while a JobRunner with `--threads` threads claims, runs (each handler writes one
// note: a real effect) and completes them. The clock runs from the first enqueue to the last
// completion.
// Latency: an idle runner, then one job enqueued at a time; the time from the enqueue's
// commit to the job's completion, `--latency-samples` times (p50/p99/max).
// `--servers N` opens N stores on the one database, each with its own runner and producers:
// N servers sharing the queue. `--handler none` leaves the note out: what the queue itself
// costs (enqueue, claim, hold, complete) beside the producers' own contact inserts.
//
//   build/bench/relais_job_throughput --jobs 100000 --db /tmp/jobs.db
//   build/bench/relais_job_throughput --db 'postgresql:///jobbench?host=/tmp/pg&user=postgres'
//     (a fresh, empty PostgreSQL database: migrated on open, never dropped)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "domain/schema/entity_schema.hpp"
#include "jobs/job_runner.hpp"
#include "storage/open.hpp"

namespace {

using relais::Json;
using relais::Result;
using relais::domain::Job;
using relais::domain::Transaction;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Relais job queue benchmark");
  std::string db = "/tmp/relais-job-bench.db";
  int jobs = 100'000;
  int per_unit = 10;
  int producers = 4;
  int threads = 2;
  int batch = 256;
  int samples = 200;
  int idle_poll_ms = 20;  // the runner's default, as in relais serve
  int servers = 1;
  std::string handler = "note";
  app.add_option("--db", db, "SQLite file (deleted first) or postgresql:// URL (fresh database)");
  app.add_option("--servers", servers, "Stores (servers) on the database, each with a runner");
  app.add_option("--jobs", jobs, "Jobs for the throughput run");
  app.add_option("--per-unit", per_unit, "Jobs enqueued per causing unit of work");
  app.add_option("--producers", producers, "Threads enqueueing");
  app.add_option("--threads", threads, "Runner threads");
  app.add_option("--batch", batch, "Jobs claimed per batch");
  app.add_option("--latency-samples", samples, "Single jobs timed for pick-up latency");
  app.add_option("--idle-poll-ms", idle_poll_ms, "How often idle runner threads look for work");
  app.add_option("--handler", handler,
                 "note: each job writes one note (a real effect); none: the queue's own cost")
      ->check(CLI::IsMember({"note", "none"}));
  CLI11_PARSE(app, argc, argv);

  const bool postgres = db.rfind("postgres", 0) == 0;
  if (!postgres) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  std::vector<std::unique_ptr<relais::domain::Store>> stores;
  for (int i = 0; i < std::max(servers, 1); ++i) {
    auto opened = relais::storage::open_store(postgres ? db : "sqlite:" + db);
    if (!opened.ok()) {
      fmt::print(stderr, "cannot open {}: {}\n", postgres ? "the database" : db,
                 opened.error().message);
      return 1;
    }
    stores.push_back(std::move(*opened));
  }
  relais::domain::Store& store = *stores.front();

  relais::jobs::JobRegistry registry;
  registry.add(relais::jobs::JobKind{
      .name = "bench.note",
      .handler = [write_note = handler == "note"](Transaction& tx,
                                                  const Job& job) -> Result<relais::jobs::JobStep> {
        if (write_note) {
          RELAIS_TRY(tx.insert(relais::domain::note_schema(),
                               Json{{"body", "job " + std::to_string(job.id)}}));
        }
        return relais::jobs::JobStep{};
      }});
  relais::jobs::RunnerOptions options;
  options.threads = threads;
  options.batch = batch;
  options.idle_poll_ms = idle_poll_ms;

  const auto start_runners = [&] {
    std::vector<std::unique_ptr<relais::jobs::JobRunner>> runners;
    for (auto& s : stores) {
      runners.push_back(std::make_unique<relais::jobs::JobRunner>(*s, registry, options));
      runners.back()->start();
    }
    return runners;
  };
  const auto handled = [](const std::vector<std::unique_ptr<relais::jobs::JobRunner>>& runners) {
    std::int64_t n = 0;
    for (const auto& r : runners) n += r->handled();
    return n;
  };

  // Throughput.
  {
    auto runners = start_runners();
    const auto start = Clock::now();
    std::vector<std::thread> producer_threads;
    const int units = jobs / per_unit;
    std::atomic<int> next_unit{0};
    for (int p = 0; p < producers; ++p) {
      producer_threads.emplace_back([&, p] {
        relais::domain::Store& mine = *stores[static_cast<std::size_t>(p) % stores.size()];
        for (int u = next_unit++; u < units; u = next_unit++) {
          auto r = mine.write([&](Transaction& tx) -> Result<Json> {
            RELAIS_ASSIGN_OR_RETURN(Json contact,
                                    tx.insert(relais::domain::contact_schema(),
                                              Json{{"first_name", "Job"}, {"last_name", "Bench"}}));
            for (int j = 0; j < per_unit; ++j) {
              relais::domain::NewJob job;
              job.kind = "bench.note";
              job.payload = Json{{"contact_id", contact["id"]}};
              RELAIS_TRY(tx.jobs().enqueue(job));
            }
            return Json();
          });
          if (!r.ok()) fmt::print(stderr, "enqueue failed: {}\n", r.error().message);
        }
      });
    }
    for (auto& t : producer_threads) t.join();
    const double enqueued_ms = ms_since(start);
    const std::int64_t total = static_cast<std::int64_t>(units) * per_unit;
    while (handled(runners) < total) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const double done_ms = ms_since(start);
    for (auto& r : runners) r->stop();
    fmt::print(
        "throughput ({}, {} server(s), handler {}): {} jobs ({} per causing unit, {} producers, {} "
        "runner "
        "threads per server, batch {}): enqueued in {:.0f} ms, all done in {:.0f} ms = {:.0f} "
        "jobs/s end to end\n",
        postgres ? "PostgreSQL" : "SQLite", stores.size(), handler, total, per_unit, producers,
        threads, batch, enqueued_ms, done_ms, total / (done_ms / 1000.0));
  }

  // Pick-up latency with idle workers.
  {
    auto runners = start_runners();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<double> latencies;
    for (int i = 0; i < samples; ++i) {
      const std::int64_t before = handled(runners);
      std::int64_t id = 0;
      auto r = store.write([&](Transaction& tx) -> Result<Json> {
        relais::domain::NewJob job;
        job.kind = "bench.note";
        RELAIS_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(job));
        return Json();
      });
      const auto committed = Clock::now();
      if (!r.ok()) return 1;
      while (handled(runners) == before)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      latencies.push_back(ms_since(committed));
      // Land at a random point of the pollers' cycle.
      std::this_thread::sleep_for(std::chrono::milliseconds(1 + i % 7));
    }
    for (auto& r : runners) r->stop();
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
      return latencies[std::min(
          latencies.size() - 1,
          static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
    };
    fmt::print(
        "pick-up latency, idle workers ({} samples): p50 {:.1f} ms, p99 {:.1f} ms, max "
        "{:.1f} ms\n",
        latencies.size(), pct(0.50), pct(0.99), latencies.back());
  }
  return 0;
}
