// Write-path micro-benchmarks on a real SQLite file (WAL, synchronous=FULL), through the
// same domain services the API and the importer use:
//   BM_CreateContact   one contact per Store::write, from many threads (HTTP create path:
//                      group commit shares the fsync between concurrent callers)
//   BM_ImportBatch     500 contacts per Store::write (the CSV importer's unit of work)
//   BM_SearchPrefix    a prefix full-text search on the contacts written so far
// Rates are items/s. The database lives in $RELAIS_BENCH_DIR (default: the system temp
// directory) so that fsync hits a real disk; it is deleted at exit.
//
// Run: build-perf/bench/relais_store_bench --benchmark_min_time=2s
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "domain/actor.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace {

using relais::Json;
using relais::domain::Actor;
using relais::domain::Services;
using relais::domain::Store;

// One database and one Services for the whole process, shared by every benchmark thread.
struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Services> services;
  Actor admin;

  Fixture() {
    const char* base = std::getenv("RELAIS_BENCH_DIR");
    dir = std::filesystem::path(base != nullptr ? base
                                                : std::filesystem::temp_directory_path().string()) /
          ("relais-store-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto opened = relais::storage::open_store("sqlite:" + (dir / "bench.db").string());
    if (!opened.ok()) {
      std::fprintf(stderr, "cannot open the bench database: %s\n", opened.error().message.c_str());
      std::exit(1);
    }
    store = std::move(opened).value();
    services = std::make_unique<Services>(*store);
    // An admin user acting like an API client (owner_id set, reference checked).
    auto user = services->users.create(
        Actor::system(),
        Json{{"email", "bench@relais.local"}, {"name", "Bench"}, {"role", "admin"}});
    if (!user.ok()) {
      std::fprintf(stderr, "cannot create the bench user: %s\n", user.error().message.c_str());
      std::exit(1);
    }
    admin =
        Actor{(*user)["id"].get<std::int64_t>(), relais::domain::Role::kAdmin, std::nullopt, "fr"};
  }
  ~Fixture() {
    services.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

std::atomic<std::int64_t> next_contact{0};

const char* const kFirst[] = {"Hélène", "Jérôme", "Zoé", "Anaïs", "Loïc", "Gaëlle", "Théo"};
const char* const kLast[] = {"Dupont", "Lefèvre", "Moreau", "Girard", "Mercier", "Lambert"};
const char* const kCity[] = {"Lyon", "Paris", "Nantes", "Strasbourg", "Besançon", "Nîmes"};

Json contact_body(std::int64_t n) {
  return Json{{"first_name", kFirst[n % 7]},
              {"last_name", kLast[n % 6]},
              {"emails", Json::array({"bench." + std::to_string(n) + "@exemple.fr"})},
              {"phones", Json::array({"06 12 34 56 78"})},
              {"title", "Chef de projet"},
              {"city", kCity[n % 6]},
              {"postcode", "69001"},
              {"lifecycle_stage", "lead"}};
}

void BM_CreateContact(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    auto created = f.services->contacts.create(f.admin, contact_body(next_contact++));
    if (!created.ok()) {
      state.SkipWithError(created.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateContact)->Threads(1)->Threads(32)->UseRealTime();

void BM_ImportBatch(benchmark::State& state) {
  Fixture& f = fixture();
  const auto rows = static_cast<std::int64_t>(state.range(0));
  const Actor system = Actor::system();
  for (auto _ : state) {
    auto written = f.store->write([&](relais::domain::Transaction& tx) -> relais::Result<Json> {
      for (std::int64_t i = 0; i < rows; ++i) {
        const std::int64_t n = next_contact++;
        // The importer checks the e-mail first, then creates.
        if (tx.find_contact_by_email("bench." + std::to_string(n) + "@exemple.fr")) {
          return relais::Error::conflict("duplicate");
        }
        RELAIS_TRY(f.services->contacts.create_in(tx, system, contact_body(n)));
      }
      return Json();
    });
    if (!written.ok()) {
      state.SkipWithError(written.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_ImportBatch)->Arg(500)->UseRealTime();

void BM_SearchPrefix(benchmark::State& state) {
  Fixture& f = fixture();
  const char* const terms[] = {"hele", "dupo", "lefe", "jerome mor", "lyon", "zoe", "besan"};
  std::size_t n = 0;
  for (auto _ : state) {
    relais::domain::ListRequest request;
    request.q = terms[n++ % 7];
    request.limit = 20;
    auto page = f.services->contacts.list(f.admin, request);
    if (!page.ok()) {
      state.SkipWithError(page.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(page->items.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SearchPrefix)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
