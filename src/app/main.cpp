// relais: the one binary. Each subcommand lives in its own file under app/ and registers
// itself with the CommandRegistry (see command_registry.hpp).
#include <CLI/CLI.hpp>

#include "app/command_registry.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Relais — self-hosted CRM server", "relais"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "relais 0.1.0");
  for (const auto& command : relais::app::CommandRegistry::instance().commands()) {
    command(app);
  }
  CLI11_PARSE(app, argc, argv);
  return relais::app::CommandRegistry::instance().exit_code();
}
