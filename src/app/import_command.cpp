// `relais import <contacts|companies|deals> FILE.csv [--dry-run] [--map col=field ...]`
// Exit status: 0 every row imported, 2 some rows rejected, 1 the file could not be read.
// Safe while `relais serve` uses the same SQLite database (WAL, busy timeout in storage).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "app/command_registry.hpp"
#include "domain/importing/import_service.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

struct ImportArgs {
  std::string kind;
  std::string file;
  std::string db = kDefaultDatabaseUrl;
  std::vector<std::string> maps;
  bool dry_run = false;
  bool json = false;
  std::size_t batch_size = 2000;
};

int fail(const std::string& message) {
  std::cerr << "relais import: " << message << "\n";
  return 1;
}

int run_import(const ImportArgs& args) {
  namespace imp = domain::importing;
  imp::ImportOptions options;
  if (!imp::parse_import_kind(args.kind, options.kind)) {
    return fail("unknown record type '" + args.kind + "' (contacts, companies or deals)");
  }
  options.dry_run = args.dry_run;
  options.batch_size = args.batch_size;
  for (const std::string& m : args.maps) {
    std::string column, field;
    if (!imp::parse_mapping_override(m, column, field)) {
      return fail("--map expects column=field, got '" + m + "'");
    }
    options.overrides[column] = field;
  }

  std::ifstream in(args.file, std::ios::binary);
  if (!in) return fail("cannot open " + args.file);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail("cannot read " + args.file);

  storage::StoreOptions store_options;
  store_options.migrate = false;
  auto store = storage::open_store(args.db, store_options);
  if (!store.ok()) return fail(store.error().message);
  domain::Services services(**store);
  imp::ImportService importer(services);

  auto started = std::chrono::steady_clock::now();
  auto report = importer.import_csv(domain::Actor::system(), bytes, options);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!report.ok()) return fail(args.file + ": " + report.error().message);

  if (args.json) {
    std::cout << report->to_json().dump(2) << "\n";
  } else {
    for (const imp::RejectedRow& r : report->rejected) {
      std::cout << "row " << r.row;
      if (!r.column.empty()) std::cout << ", column \"" << r.column << "\"";
      std::cout << ": " << r.reason << "\n";
    }
    if (!report->unmapped_columns.empty()) {
      std::cout << "ignored columns:";
      for (const auto& c : report->unmapped_columns) std::cout << " \"" << c << "\"";
      std::cout << "\n";
    }
    std::cout << report->rows << " rows read, " << report->imported
              << (args.dry_run ? " would be imported, " : " imported, ") << report->rejected.size()
              << " rejected";
    if (report->encoding != "utf-8") std::cout << " (file decoded from " << report->encoding << ")";
    if (args.dry_run) std::cout << " — dry run, nothing written";
    char timing[64];
    std::snprintf(timing, sizeof timing, " in %.2f s", seconds);
    std::cout << timing << "\n";
  }
  return report->rejected.empty() ? 0 : 2;
}

void add_import_command(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "Import contacts, companies or deals from CSV");
  cmd->add_option("type", args->kind, "contacts | companies | deals")->required();
  cmd->add_option("file", args->file, "CSV file (UTF-8 or Windows-1252, ',' or ';')")->required();
  cmd->add_option("--db", args->db, kDatabaseUrlHelp)->capture_default_str();
  cmd->add_option("--map", args->maps, "Column mapping override: column=field (repeatable)");
  cmd->add_flag("--dry-run", args->dry_run, "Validate every row, write nothing");
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->add_option("--batch-size", args->batch_size, "Rows per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->callback([args] {
    int code = 1;
    try {
      code = run_import(*args);
    } catch (const std::exception& e) {
      code = fail(std::string("unexpected error: ") + e.what());
    }
    CommandRegistry::instance().set_exit_code(code);
  });
}

const bool registered = CommandRegistry::instance().add(&add_import_command);

}  // namespace
}  // namespace relais::app
