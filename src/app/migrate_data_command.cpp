// `relais migrate-data --from URL --to URL [--force]`: copies a whole installation between
// databases of either engine (storage/transfer_copy.hpp) and prints, per table, the row
// counts and checksums of both sides. Exit status: 0 copied and verified; 1 failed or the
// copy differs from the source (nothing committed); 2 refused (target not empty, nothing
// changed).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "app/command_registry.hpp"
#include "storage/transfer_copy.hpp"

namespace relais::app {
namespace {

struct MigrateDataArgs {
  std::string from;
  std::string to;
  bool force = false;
  std::size_t batch = 1000;
};

int fail(const Error& error) {
  std::cerr << "relais migrate-data: " << error.message << "\n";
  return error.code == ErrorCode::kConflict ? 2 : 1;
}

int run_migrate_data(const MigrateDataArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  auto source = storage::open_transfer_database(args.from, /*create=*/false);
  if (!source.ok()) return fail(source.error());
  auto target = storage::open_transfer_database(args.to, /*create=*/true);
  if (!target.ok()) return fail(target.error());
  storage::CopyOptions options;
  options.force = args.force;
  options.batch_rows = args.batch;
  options.on_table = [](const std::string& table, std::int64_t rows) {
    std::cerr << "copied " << table << ": " << rows << " rows\n";
  };
  auto report = storage::copy_installation(**source, **target, options);
  if (!report.ok()) return fail(report.error());

  std::printf("migrate-data: %s -> %s, schema version %d\n", (*source)->engine(),
              (*target)->engine(), report->schema_version);
  std::printf("%-20s %12s %12s  %-32s  %s\n", "table", "source rows", "target rows",
              "source checksum", "target checksum");
  std::int64_t total = 0;
  int different = 0;
  for (const auto& t : report->tables) {
    std::printf("%-20s %12lld %12lld  %-32s  %-32s  %s\n", t.table.c_str(),
                static_cast<long long>(t.source_rows), static_cast<long long>(t.target_rows),
                t.source_checksum.c_str(), t.target_checksum.c_str(),
                t.matches() ? "ok" : "DIFFERENT");
    total += t.source_rows;
    if (!t.matches()) ++different;
  }
  std::fflush(stdout);
  if (!report->committed) {
    std::cerr << "relais migrate-data: " << different
              << " table(s) differ between source and target; nothing was committed\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("migrate-data: %zu tables, %lld rows copied and verified in %.1f s\n",
              report->tables.size(), static_cast<long long>(total), seconds);
  return 0;
}

void add_migrate_data_command(CLI::App& app) {
  auto args = std::make_shared<MigrateDataArgs>();
  CLI::App* cmd = app.add_subcommand(
      "migrate-data", "Copy a whole installation to another database (e.g. SQLite to PostgreSQL)");
  cmd->add_option("--from", args->from, "Source database URL")->required();
  cmd->add_option("--to", args->to, "Target database URL (migrated first; must be empty)")
      ->required();
  cmd->add_flag("--force", args->force, "Replace the contents of a non-empty target");
  cmd->add_option("--batch", args->batch, "Rows per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->callback([args] {
    int code = 1;
    try {
      code = run_migrate_data(*args);
    } catch (const std::exception& e) {
      std::cerr << "relais migrate-data: unexpected error: " << e.what() << "\n";
    }
    CommandRegistry::instance().set_exit_code(code);
  });
}

const bool registered = CommandRegistry::instance().add(&add_migrate_data_command);

}  // namespace
}  // namespace relais::app
