// `relais blob put|get|stat|usage|sweep`: the blob store (domain/blobs/blob_store.hpp) from
// the command line, for operators and scripts (checking a file survived a migration,
// finishing a sweep by hand). `put` stores a file unreferenced: a sweep deletes it once the
// grace period has passed, unless a record references it by then.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/command_registry.hpp"
#include "storage/common/chunked_blob_store.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

struct BlobArgs {
  std::string db = kDefaultDatabaseUrl;
  std::string file;  // put: the file to store ("-": standard input)
  std::string digest;
  std::string out;  // get: the output file (default: standard output)
  std::int64_t offset = 0;
  std::int64_t length = -1;  // -1: to the end
  std::int64_t max_bytes = storage::BlobStoreOptions{}.max_blob_bytes;
};

int fail(const std::string& message) {
  std::cerr << "relais blob: " << message << "\n";
  return 1;
}

Json info_json(const domain::BlobInfo& info) {
  return Json{{"digest", info.digest},
              {"size", info.size},
              {"refs", info.refs},
              {"created_at_ms", info.created_at_ms}};
}

int put(domain::BlobStore& blobs, const BlobArgs& args) {
  std::ifstream file;
  if (args.file != "-") {
    file.open(args.file, std::ios::binary);
    if (!file) return fail("cannot read " + args.file);
  }
  std::istream& in = args.file == "-" ? std::cin : file;
  auto stored = blobs.write([&](char* buffer, std::size_t capacity) -> Result<std::size_t> {
    in.read(buffer, static_cast<std::streamsize>(capacity));
    if (in.bad()) return Error::internal("read error on " + args.file);
    return static_cast<std::size_t>(in.gcount());
  });
  if (!stored.ok()) return fail(stored.error().message);
  std::cout << info_json(stored.value()).dump() << "\n";
  return 0;
}

int get(domain::BlobStore& blobs, const BlobArgs& args) {
  // A temporary name renamed at the end: a failed read never leaves a truncated file.
  const std::string temp = args.out + ".partial";
  std::ofstream file;
  if (!args.out.empty()) {
    file.open(temp, std::ios::binary | std::ios::trunc);
    if (!file) return fail("cannot write " + temp);
  }
  std::ostream& out = args.out.empty() ? std::cout : file;
  domain::ByteRange range{args.offset, std::nullopt};
  if (args.length >= 0) range.length = args.length;
  auto sent = blobs.read(args.digest, range, [&](std::string_view bytes) -> Result<void> {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Error::internal("write error");
    return {};
  });
  if (sent.ok()) out.flush();
  if (!sent.ok() || !out) {
    if (!args.out.empty()) std::remove(temp.c_str());
    return fail(sent.ok() ? "write error" : sent.error().message);
  }
  if (!args.out.empty()) {
    file.close();
    if (std::rename(temp.c_str(), args.out.c_str()) != 0) return fail("cannot rename " + temp);
  }
  return 0;
}

int run(const std::string& action, const BlobArgs& args) {
  storage::StoreOptions store_options;
  store_options.migrate = false;
  auto store = storage::open_store(args.db, store_options);
  if (!store.ok()) return fail(store.error().message);
  storage::BlobStoreOptions options;
  options.max_blob_bytes = args.max_bytes;
  storage::ChunkedBlobStore blobs(**store, options);
  if (action == "put") return put(blobs, args);
  if (action == "get") return get(blobs, args);
  if (action == "stat") {
    auto info = blobs.stat(args.digest);
    if (!info.ok()) return fail(info.error().message);
    if (!info.value()) return fail("no blob has this digest");
    std::cout << info_json(*info.value()).dump() << "\n";
    return 0;
  }
  if (action == "usage") {
    auto usage = blobs.usage();
    if (!usage.ok()) return fail(usage.error().message);
    std::cout << Json{{"blobs", usage->blobs},
                      {"bytes", usage->bytes},
                      {"pending", usage->pending},
                      {"chunks", usage->chunks}}
                     .dump()
              << "\n";
    return 0;
  }
  auto report = blobs.sweep();
  if (!report.ok()) return fail(report.error().message);
  std::cout << Json{{"blobs_deleted", report->blobs_deleted},
                    {"uploads_deleted", report->uploads_deleted},
                    {"chunks_deleted", report->chunks_deleted}}
                   .dump()
            << "\n";
  return 0;
}

void add_blob_command(CLI::App& app) {
  auto args = std::make_shared<BlobArgs>();
  CLI::App* blob = app.add_subcommand("blob", "Store, read and sweep file contents (blobs)");
  blob->require_subcommand(1);
  const auto common = [&](CLI::App* cmd, const std::string& action) {
    cmd->add_option("--db", args->db, kDatabaseUrlHelp)->capture_default_str();
    cmd->callback([args, action] {
      int code = 1;
      try {
        code = run(action, *args);
      } catch (const std::exception& e) {
        code = fail(std::string("unexpected error: ") + e.what());
      }
      CommandRegistry::instance().set_exit_code(code);
    });
  };
  CLI::App* put_cmd = blob->add_subcommand("put", "Store a file; prints its digest and size");
  put_cmd->add_option("file", args->file, "The file (- for standard input)")->required();
  put_cmd->add_option("--max-size", args->max_bytes, "Refuse a file larger than this (bytes)")
      ->capture_default_str();
  common(put_cmd, "put");
  CLI::App* get_cmd = blob->add_subcommand("get", "Write a blob's bytes");
  get_cmd->add_option("digest", args->digest, "SHA-256 in hex")->required();
  get_cmd->add_option("--out", args->out, "Output file (default: standard output)");
  get_cmd->add_option("--offset", args->offset, "First byte");
  get_cmd->add_option("--length", args->length, "Bytes to write (default: to the end)");
  common(get_cmd, "get");
  CLI::App* stat_cmd = blob->add_subcommand("stat", "Print a blob's size and references");
  stat_cmd->add_option("digest", args->digest, "SHA-256 in hex")->required();
  common(stat_cmd, "stat");
  common(blob->add_subcommand("usage", "Print what the blob store holds"), "usage");
  common(blob->add_subcommand("sweep", "Delete unreferenced blobs and abandoned uploads"), "sweep");
}

const bool registered = CommandRegistry::instance().add(&add_blob_command);

}  // namespace
}  // namespace relais::app
