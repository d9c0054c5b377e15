// Event log benchmark on a real store (SQLite or PostgreSQL), through domain::EventLog only.
//
// 1. Append throughput: `--producers` threads append `--append-events` events, one write
//    unit per batch, in batches of 100 and then of 1 (events/s, wall clock).
// 2. Bulk load: `--events` events of one name ("page_view") spread evenly over the 90 days
//    before now, for `--contacts` contacts, in units of 10,000 (the load rate is printed).
//    PostgreSQL then gets VACUUM ANALYZE (what autovacuum does after a load: index-only
//    scans need the visibility map).
// 3. The report query: day buckets in Europe/Paris over those 90 days for that name,
//    `--repeat` times (p50, min, max), plus one contact's first page and its counts.
//
//   build/bench/relais_event_log_bench --db /tmp/events.db --events 1000000
//   build/bench/relais_event_log_bench --db 'postgresql:///events?host=/tmp/pg&user=postgres'
//     (a fresh, empty PostgreSQL database: migrated on open, never dropped)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "domain/records/values.hpp"
#include "domain/schema/entity_schema.hpp"
#include "storage/open.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace {

using relais::Json;
using relais::Result;
using relais::domain::NewEvent;
using relais::domain::Transaction;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kDayMs = 86'400'000;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void check(const Result<Json>& r, const char* what) {
  if (!r.ok()) {
    fmt::print(stderr, "{} failed: {}\n", what, r.error().message);
    std::exit(1);
  }
}

const char* const kNames[] = {"page_view", "email_opened", "email_clicked", "form_submitted"};

// Appends `total` events in units of `batch` from `producers` threads; returns events/s.
double append_rate(relais::domain::Store& store, const std::vector<std::int64_t>& contacts,
                   int total, int batch, int producers) {
  std::atomic<int> next{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(producers));
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(p) + 1);
      for (;;) {
        const int first = next.fetch_add(batch);
        if (first >= total) return;
        std::vector<NewEvent> events;
        const int n = std::min(batch, total - first);
        events.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
          events.push_back(
              {.contact_id = contacts[rng() % contacts.size()],
               .name = kNames[rng() % 4],
               .occurred_at_ms = relais::domain::now_epoch_ms(),
               .properties = Json{{"url", "/produits/" + std::to_string(rng() % 500)}}});
        }
        check(store.write([&](Transaction& tx) -> Result<Json> {
          RELAIS_TRY(tx.events().append(events));
          return Json();
        }),
              "append");
      }
    });
  }
  for (auto& t : threads) t.join();
  return total / (ms_since(start) / 1000.0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Relais event log benchmark");
  std::string db = "/tmp/relais-event-bench.db";
  std::int64_t events = 1'000'000;
  int contacts_n = 20'000;
  int append_events = 100'000;
  int append_single = 5'000;
  int producers = 4;
  int repeat = 11;
  app.add_option("--db", db, "SQLite file (deleted first) or postgresql:// URL (fresh database)");
  app.add_option("--events", events, "Events of the bulk load (one name, 90 days)");
  app.add_option("--contacts", contacts_n, "Contacts the events belong to");
  app.add_option("--append-events", append_events, "Events appended in batches of 100");
  app.add_option("--append-single", append_single, "Events appended one per unit");
  app.add_option("--producers", producers, "Threads appending");
  app.add_option("--repeat", repeat, "Runs of the aggregate (p50 reported)");
  CLI11_PARSE(app, argc, argv);

  const bool postgres = db.rfind("postgres", 0) == 0;
  if (!postgres) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  auto opened = relais::storage::open_store(postgres ? db : "sqlite:" + db);
  if (!opened.ok()) {
    fmt::print(stderr, "open: {}\n", opened.error().message);
    return 1;
  }
  auto store = std::move(opened).value();

  std::vector<std::int64_t> contacts;
  const auto contacts_start = Clock::now();
  for (int done = 0; done < contacts_n;) {
    const int n = std::min(1'000, contacts_n - done);
    check(store->write([&](Transaction& tx) -> Result<Json> {
      for (int i = 0; i < n; ++i) {
        RELAIS_ASSIGN_OR_RETURN(Json c,
                                tx.insert(relais::domain::contact_schema(),
                                          Json{{"first_name", "C" + std::to_string(done + i)}}));
        contacts.push_back(c["id"].get<std::int64_t>());
      }
      return Json();
    }),
          "contacts");
    done += n;
  }
  fmt::print("engine {} contacts {} ({:.1f} s)\n", postgres ? "postgresql" : "sqlite",
             contacts.size(), ms_since(contacts_start) / 1000.0);

  const double rate100 = append_rate(*store, contacts, append_events, 100, producers);
  fmt::print("append batch=100 producers={} events={} rate={:.0f} events/s\n", producers,
             append_events, rate100);
  const double rate1 = append_rate(*store, contacts, append_single, 1, producers);
  fmt::print("append batch=1 producers={} events={} rate={:.0f} events/s\n", producers,
             append_single, rate1);

  // Bulk load: every event "page_view", evenly over the last 90 days (plus the appends
  // above, which are of now).
  const std::int64_t now = relais::domain::now_epoch_ms();
  const std::int64_t from = now - 90 * kDayMs;
  const auto load_start = Clock::now();
  std::mt19937_64 rng(42);
  constexpr int kUnit = 10'000;
  for (std::int64_t done = 0; done < events;) {
    const auto n = static_cast<int>(std::min<std::int64_t>(kUnit, events - done));
    std::vector<NewEvent> batch;
    batch.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const std::int64_t at = from + (done + i) * (90 * kDayMs / events);
      batch.push_back({.contact_id = contacts[rng() % contacts.size()],
                       .name = "page_view",
                       .occurred_at_ms = at,
                       .properties = Json{{"url", "/p/" + std::to_string(rng() % 1000)}}});
    }
    check(store->write([&](Transaction& tx) -> Result<Json> {
      RELAIS_TRY(tx.events().append(batch));
      return Json();
    }),
          "load");
    done += n;
    if (done % 1'000'000 == 0) {
      fmt::print(stderr, "  loaded {} ({:.0f} events/s)\n", done,
                 static_cast<double>(done) / (ms_since(load_start) / 1000.0));
    }
  }
  const double load_s = ms_since(load_start) / 1000.0;
  fmt::print("load events={} time={:.1f} s rate={:.0f} events/s\n", events, load_s,
             static_cast<double>(events) / load_s);
  if (postgres) {
    const auto vacuum_start = Clock::now();
    relais::storage::postgres::PgConnection conn(db);
    conn.exec("VACUUM ANALYZE events");
    fmt::print("vacuum analyze {:.1f} s\n", ms_since(vacuum_start) / 1000.0);
  }

  std::vector<double> times;
  std::vector<double>
      cpu_times;  // this process's CPU (SQLite's work; PostgreSQL's is the server's)
  std::int64_t counted = 0;
  std::size_t buckets = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    const std::clock_t cpu_start = std::clock();
    check(store->read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(auto counts,
                              tx.events().bucket_counts({.names = {"page_view"},
                                                         .from_ms = from,
                                                         .to_ms = now,
                                                         .size = relais::domain::BucketSize::kDay,
                                                         .time_zone = "Europe/Paris"}));
      counted = 0;
      for (const auto& c : counts) counted += c.count;
      buckets = counts.size();
      return Json();
    }),
          "aggregate");
    times.push_back(ms_since(start));
    cpu_times.push_back(1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu_times.begin(), cpu_times.end());
  fmt::print(
      "aggregate day buckets={} counted={} p50={:.0f} ms min={:.0f} ms max={:.0f} ms "
      "(client cpu p50={:.0f} ms)\n",
      buckets, counted, times[times.size() / 2], times.front(), times.back(),
      cpu_times[cpu_times.size() / 2]);

  std::vector<double> page_times;
  for (int r = 0; r < 200; ++r) {
    const std::int64_t contact = contacts[static_cast<std::size_t>(r * 97) % contacts.size()];
    const auto start = Clock::now();
    check(store->read([&](Transaction& tx) -> Result<Json> {
      RELAIS_TRY(tx.events().contact_events({.contact_id = contact, .limit = 50}));
      RELAIS_TRY(tx.events().contact_counts(contact, from, {"page_view"}));
      return Json();
    }),
          "contact");
    page_times.push_back(ms_since(start));
  }
  std::sort(page_times.begin(), page_times.end());
  fmt::print("contact page+counts p50={:.2f} ms p99={:.2f} ms ({} events per contact)\n",
             page_times[page_times.size() / 2], page_times[page_times.size() * 99 / 100],
             events / static_cast<std::int64_t>(contacts.size()));
  return 0;
}
