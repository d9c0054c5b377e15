// `relais user add --email E --role R [--name N] [--team-id T] --password-stdin --db <url>`:
// creates a user as the system actor. The password is read from stdin (one line) so it never
// appears in the process list or shell history.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/command_registry.hpp"
#include "domain/actor.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

struct UserAddOptions {
  std::string db = kDefaultDatabaseUrl;
  std::string email;
  std::string role;
  std::string name;
  std::optional<std::int64_t> team_id;
  bool password_stdin = false;
};

// True when `said` reads "<field>: <message>", i.e. the summary already gave that field error.
bool is_field_message(std::string_view said, std::string_view field, std::string_view message) {
  if (!said.starts_with(field)) return false;
  said.remove_prefix(field.size());
  return said.starts_with(": ") && said.substr(2) == message;
}

void print_error(const Error& error) {
  std::cerr << "relais user add: " << error.message << "\n";
  for (const auto& [field, message] : error.fields) {
    if (is_field_message(error.message, field, message)) continue;  // already said
    std::cerr << "  " << field << ": " << message << "\n";
  }
}

int run_user_add(const UserAddOptions& options) {
  if (!options.password_stdin) {
    std::cerr << "relais user add: --password-stdin is required (the password is read from "
                 "standard input)\n";
    return 1;
  }
  std::string password;
  if (!std::getline(std::cin, password)) {
    std::cerr << "relais user add: no password on standard input\n";
    return 1;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    std::cerr << "relais user add: the password must not be empty\n";
    return 1;
  }

  Result<std::unique_ptr<domain::Store>> store = storage::open_store(options.db, {.migrate = true});
  if (!store.ok()) {
    std::cerr << "relais user add: cannot open the database: " << store.error().message << "\n";
    return 1;
  }
  domain::Services services(**store);

  Json user{{"email", options.email}, {"role", options.role}};
  if (!options.name.empty()) user["name"] = options.name;
  if (options.team_id) user["team_id"] = *options.team_id;
  Result<Json> created = services.auth.create_user(domain::Actor::system(), user, password);
  if (!created.ok()) {
    print_error(created.error());
    return 1;
  }
  const Json& id = (*created).contains("id") ? (*created)["id"] : Json();
  std::cout << (id.is_string() ? id.get<std::string>() : id.dump()) << std::endl;
  return 0;
}

void add_user_command(CLI::App& app) {
  CLI::App* user = app.add_subcommand("user", "Manage user accounts");
  user->require_subcommand(1);
  auto options = std::make_shared<UserAddOptions>();
  CLI::App* add = user->add_subcommand("add", "Create a user");
  add->add_option("--db", options->db, kDatabaseUrlHelp)->capture_default_str();
  add->add_option("--email", options->email, "E-mail address (the login)")->required();
  add->add_option("--role", options->role, "admin, manager, sales, marketing, support, readonly")
      ->required();
  add->add_option("--name", options->name, "Display name");
  add->add_option("--team-id", options->team_id, "Team id");
  add->add_flag("--password-stdin", options->password_stdin,
                "Read the password from standard input (one line)");
  add->callback([options] { CommandRegistry::instance().set_exit_code(run_user_add(*options)); });
}

const bool registered = CommandRegistry::instance().add(&add_user_command);

}  // namespace
}  // namespace relais::app
