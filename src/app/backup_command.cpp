// `relais backup --db URL --out FILE` and `relais restore --db URL --from FILE [--force]`
// (storage/backup.hpp). Exit status: 0 done; 1 failed (nothing written under the final
// name); 2 refused: the restore target is not empty or is in use, and nothing changed.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "app/command_registry.hpp"
#include "storage/backup.hpp"

namespace relais::app {
namespace {

struct BackupArgs {
  std::string db = kDefaultDatabaseUrl;
  std::string file;
  bool force = false;
};

int report(const char* command, const Result<storage::BackupInfo>& result, double seconds,
           const std::string& verb, const std::string& file) {
  if (!result.ok()) {
    std::cerr << "relais " << command << ": " << result.error().message << "\n";
    return result.error().code == ErrorCode::kConflict ? 2 : 1;
  }
  char timing[32];
  std::snprintf(timing, sizeof timing, "%.1f s", seconds);
  std::cout << verb << " " << file << " (" << result->engine << ", schema version "
            << result->schema_version << ", " << result->bytes << " bytes) in " << timing;
  if (result->copy_seconds > 0) {
    std::snprintf(timing, sizeof timing, "%.1f s", result->copy_seconds);
    std::cout << " (copy " << timing;
    std::snprintf(timing, sizeof timing, "%.1f s", result->check_seconds);
    std::cout << ", check " << timing << ")";
  }
  std::cout << "\n";
  return 0;
}

template <typename Run>
void run_guarded(const char* command, Run run) {
  int code = 1;
  try {
    code = run();
  } catch (const std::exception& e) {
    std::cerr << "relais " << command << ": unexpected error: " << e.what() << "\n";
  }
  CommandRegistry::instance().set_exit_code(code);
}

double seconds_since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void add_backup_command(CLI::App& app) {
  auto args = std::make_shared<BackupArgs>();
  CLI::App* cmd = app.add_subcommand(
      "backup", "Back up a database while it is in use (SQLite online backup, or pg_dump)");
  cmd->add_option("--db", args->db, "Database URL")->capture_default_str();
  cmd->add_option("--out", args->file, "Backup file to write")->required();
  cmd->callback([args] {
    run_guarded("backup", [&] {
      const auto started = std::chrono::steady_clock::now();
      auto result = storage::backup_database(args->db, args->file);
      return report("backup", result, seconds_since(started), "backed up to", args->file);
    });
  });

  auto restore = std::make_shared<BackupArgs>();
  CLI::App* rcmd =
      app.add_subcommand("restore", "Restore a backup made by `relais backup` into a database");
  rcmd->add_option("--db", restore->db, "Database URL to restore into")->capture_default_str();
  rcmd->add_option("--from", restore->file, "Backup file")->required();
  rcmd->add_flag("--force", restore->force, "Replace the contents of a non-empty database");
  rcmd->callback([restore] {
    run_guarded("restore", [&] {
      const auto started = std::chrono::steady_clock::now();
      auto result = storage::restore_database(restore->db, restore->file, restore->force);
      return report("restore", result, seconds_since(started), "restored from", restore->file);
    });
  });
}

const bool registered = CommandRegistry::instance().add(&add_backup_command);

}  // namespace
}  // namespace relais::app
