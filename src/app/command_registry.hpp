// Subcommands register themselves at static-initialisation time:
//   static const bool registered =
//       relais::app::CommandRegistry::instance().add(&add_serve_command);
// The app library is an OBJECT library, so these registrations are never dropped by the linker.
// A command's callback stores its exit status with set_exit_code().
#pragma once

#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace relais::app {

// Every CLI subcommand takes --db; this is its default.
inline constexpr const char* kDefaultDatabaseUrl = "sqlite:data/relais.db";
// The --db help of every command: each passes the URL to storage::open_store/migrate as is.
inline constexpr const char* kDatabaseUrlHelp =
    "Database URL: sqlite:<path>, or a PostgreSQL URI "
    "(postgresql:///relais?host=/var/run/postgresql)";

class CommandRegistry {
 public:
  using AddCommand = std::function<void(CLI::App&)>;
  static CommandRegistry& instance() {
    static CommandRegistry registry;
    return registry;
  }
  bool add(AddCommand command) {
    commands_.push_back(std::move(command));
    return true;
  }
  const std::vector<AddCommand>& commands() const { return commands_; }
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

 private:
  std::vector<AddCommand> commands_;
  int exit_code_ = 0;
};

}  // namespace relais::app
