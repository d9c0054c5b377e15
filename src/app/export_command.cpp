// `relais export <contacts|companies|deals|activities|tasks> [--filter EXPR] [--search TEXT] [--out
// FILE]` Streams CSV page by page to the file (or stdout); see domain/importing/csv_export.hpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/command_registry.hpp"
#include "domain/importing/csv_export.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

struct ExportArgs {
  std::string kind;
  std::string db = kDefaultDatabaseUrl;
  std::string filter;
  std::string search;
  std::string out;
};

int fail(const std::string& message) {
  std::cerr << "relais export: " << message << "\n";
  return 1;
}

int run_export(const ExportArgs& args) {
  if (!domain::importing::is_exportable(args.kind)) {
    return fail("unknown record type '" + args.kind + "' (" +
                domain::importing::exportable_plurals() + ")");
  }
  storage::StoreOptions store_options;
  store_options.migrate = false;
  auto store = storage::open_store(args.db, store_options);
  if (!store.ok()) return fail(store.error().message);
  domain::Services services(**store);

  // Write to a temporary name and rename at the end, so a failed export never leaves a
  // truncated file under the requested name.
  std::ofstream file;
  std::string temp = args.out + ".partial";
  if (!args.out.empty()) {
    file.open(temp, std::ios::binary | std::ios::trunc);
    if (!file) return fail("cannot write " + temp);
  }
  std::ostream& out = args.out.empty() ? std::cout : file;
  auto stats = domain::importing::export_csv(
      services, domain::Actor::system(), args.kind, {args.filter, args.search},
      [&](std::string_view chunk) { out.write(chunk.data(), std::streamsize(chunk.size())); });
  if (!stats.ok()) {
    if (!args.out.empty()) std::remove(temp.c_str());
    return fail(stats.error().message);
  }
  out.flush();
  if (!out) return fail("write error");
  if (!args.out.empty()) {
    file.close();
    if (std::rename(temp.c_str(), args.out.c_str()) != 0) return fail("cannot rename " + temp);
    std::cerr << stats->rows << " " << args.kind << " exported to " << args.out << "\n";
  }
  return 0;
}

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Export records as CSV");
  cmd->add_option("type", args->kind, domain::importing::exportable_plurals(" | "))->required();
  cmd->add_option("--db", args->db, kDatabaseUrlHelp)->capture_default_str();
  cmd->add_option("--filter", args->filter, "Filter expression, e.g. city = \"Lyon\"");
  cmd->add_option("--search", args->search,
                  "Full-text search like the list's ?q= (prefix, accents ignored)");
  cmd->add_option("--out", args->out, "Output file (default: standard output)");
  cmd->callback([args] {
    int code = 1;
    try {
      code = run_export(*args);
    } catch (const std::exception& e) {
      code = fail(std::string("unexpected error: ") + e.what());
    }
    CommandRegistry::instance().set_exit_code(code);
  });
}

const bool registered = CommandRegistry::instance().add(&add_export_command);

}  // namespace
}  // namespace relais::app
