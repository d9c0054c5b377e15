// `relais migrate --db <url>`: applies pending schema migrations, prints the version reached.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "app/command_registry.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

void add_migrate_command(CLI::App& app) {
  auto db = std::make_shared<std::string>(kDefaultDatabaseUrl);
  CLI::App* command = app.add_subcommand("migrate", "Apply pending database schema migrations");
  command->add_option("--db", *db, kDatabaseUrlHelp)->capture_default_str();
  command->callback([db] {
    Result<int> version = storage::migrate(*db);
    if (!version.ok()) {
      std::cerr << "relais migrate: " << version.error().message << "\n";
      CommandRegistry::instance().set_exit_code(1);
      return;
    }
    std::cout << "schema version " << *version << std::endl;
    CommandRegistry::instance().set_exit_code(0);
  });
}

const bool registered = CommandRegistry::instance().add(&add_migrate_command);

}  // namespace
}  // namespace relais::app
