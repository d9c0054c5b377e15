// `relais demo --db URL`: loads the deterministic French demo data set (see
// domain/demo/demo_loader.hpp) and prints the demo sign-in. Applies pending migrations
// first, so it works on a fresh database. Running it again changes nothing.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/command_registry.hpp"
#include "domain/demo/demo_loader.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

int run_demo(const std::string& db) {
  auto store = storage::open_store(db);
  if (!store.ok()) {
    std::cerr << "relais demo: " << store.error().message << "\n";
    return 1;
  }
  domain::Services services(**store);
  auto started = std::chrono::steady_clock::now();
  auto summary = domain::demo::load_demo(services);
  if (!summary.ok()) {
    std::cerr << "relais demo: " << summary.error().message << "\n";
    return 1;
  }
  if (summary->already_present) {
    // Not the URL: a PostgreSQL URL may carry a password.
    std::cout << "Demo data is already present in this database; nothing changed.\n";
  } else {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char timing[32];
    std::snprintf(timing, sizeof timing, "%.1f s", seconds);
    std::cout << "Demo data loaded in " << timing << ": " << summary->users << " users, "
              << summary->teams << " teams, " << summary->companies << " companies, "
              << summary->contacts << " contacts, " << summary->deals << " deals, "
              << summary->activities << " activities, " << summary->tasks << " tasks.\n";
  }
  std::cout << "Sign in as " << domain::demo::kDemoAdminEmail << " with password "
            << domain::demo::kDemoPassword << " (other demo users share that password).\n";
  return 0;
}

void add_demo_command(CLI::App& app) {
  auto db = std::make_shared<std::string>(kDefaultDatabaseUrl);
  CLI::App* cmd = app.add_subcommand("demo", "Load realistic French demo data (idempotent)");
  cmd->add_option("--db", *db, kDatabaseUrlHelp)->capture_default_str();
  cmd->callback([db] {
    int code = 1;
    try {
      code = run_demo(*db);
    } catch (const std::exception& e) {
      std::cerr << "relais demo: unexpected error: " << e.what() << "\n";
    }
    CommandRegistry::instance().set_exit_code(code);
  });
}

const bool registered = CommandRegistry::instance().add(&add_demo_command);

}  // namespace
}  // namespace relais::app
