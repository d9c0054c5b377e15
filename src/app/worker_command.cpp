// `relais worker --db URL [--threads N]`: runs background jobs only, no HTTP, until SIGINT or
// SIGTERM; then finishes (or gives back) the jobs it holds and exits 0. Any number of workers
// and servers may share one database.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include "app/command_registry.hpp"
#include "app/job_wiring.hpp"
#include "app/logging.hpp"
#include "domain/services.hpp"
#include "jobs/job_runner.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

struct WorkerOptions {
  std::string db = kDefaultDatabaseUrl;
  int threads = 2;
  std::int64_t idle_poll_ms = 0;  // 0: the runner's default for the engine
  JobWiringOptions jobs;
  LoggingOptions logging;
};

int run_worker(const WorkerOptions& options) {
  if (Result<void> logging = setup_logging(options.logging); !logging.ok()) {
    std::cerr << "relais worker: " << logging.error().message << "\n";
    return 1;
  }
  // Blocked before any thread starts, so every thread inherits the mask and only sigwait()
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Like import and export, a worker never migrates: it refuses an outdated schema.
  auto store = storage::open_store(options.db, {.migrate = false});
  if (!store.ok()) {
    std::cerr << "relais worker: cannot open the database: " << store.error().message << "\n";
    return 1;
  }
  {
    domain::Services services(**store);
    jobs::JobRegistry registry;
    register_jobs(registry, services, options.jobs);
    jobs::JobRunner runner(**store, registry,
                           {.threads = options.threads, .idle_poll_ms = options.idle_poll_ms});
    runner.start();
    std::cout << "Relais worker " << runner.worker_name() << " running" << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    spdlog::info("worker: signal {} received, stopping", received);
    runner.stop();
  }
  shutdown_logging();
  return 0;
}

void add_worker_command(CLI::App& app) {
  auto options = std::make_shared<WorkerOptions>();
  CLI::App* command = app.add_subcommand("worker", "Run background jobs (no HTTP server)");
  command->add_option("--db", options->db, kDatabaseUrlHelp)->capture_default_str();
  command->add_option("--threads", options->threads, "Job runner threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command
      ->add_option("--idle-poll", options->idle_poll_ms,
                   "Milliseconds between idle threads' looks for due jobs when nothing signals "
                   "them (0: 1000 on PostgreSQL, woken by LISTEN/NOTIFY; 20 on SQLite)")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  command->add_flag("--self-test-jobs", options->jobs.self_test)->group("");
  add_logging_options(*command, options->logging);
  command->callback([options] { CommandRegistry::instance().set_exit_code(run_worker(*options)); });
}

const bool registered = CommandRegistry::instance().add(&add_worker_command);

}  // namespace
}  // namespace relais::app
