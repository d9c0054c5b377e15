// The floor under CSV import: how fast SQLite alone writes the rows that one imported contact
// produces — the contact (and its 8 secondary indexes), its e-mail index entry, its audit
// entry, its outbox event and its full-text entry — with the server's settings (WAL,
// synchronous=FULL, 64 MiB writer cache, no mmap, checkpoints on a second thread by the same
// Checkpointer) and the importer's shape (2,000 rows per transaction, one cached prepared
// statement per row and table, full-text rows written just before COMMIT), but none of the
// application's work: every value, JSON text included, is built before the clock starts.
//
// It answers "how much of an import's time is ours": `relais import` divided by this floor.
//
//   build/bench/relais_import_floor --rows 100000 --db /tmp/floor.db        (a fresh database)
//   build/bench/relais_import_floor --rows 100000 --db COPY-OF-1M.db        (ids continue)
//   ... --skip fts,audit,outbox,emails      what each part costs (any subset)
//   ... --multi-row                         64 rows per INSERT instead of one (not for FTS5:
//                                           SQLite materialises multi-row VALUES for virtual
//                                           tables)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/open.hpp"
#include "storage/sqlite/checkpointer.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

using relais::Json;
using relais::storage::sqlite::Checkpointer;
using relais::storage::sqlite::Connection;
using relais::storage::sqlite::SqlValue;

constexpr std::size_t kBatchRows = 2000;  // the importer's default batch
constexpr std::size_t kMultiRows = 64;

const std::vector<std::string> kFirstNames = {"Sophie", "Manon", "Raphaël", "Léa",    "Hugo",
                                              "Chloé",  "Lucas", "Inès",    "Jules",  "Camille",
                                              "Louis",  "Zoé",   "Arthur",  "Hélène", "Gabriel"};
const std::vector<std::string> kLastNames = {"Mercier", "Bonnet",  "Bourgeois", "Dupont", "Martin",
                                             "Bernard", "Petit",   "Durand",    "Leroy",  "Moreau",
                                             "Simon",   "Laurent", "Lefèvre",   "Michel", "Garcia"};
const std::vector<std::string> kCities = {"Paris",      "Lyon",        "Marseille", "Nice",
                                          "Strasbourg", "Montpellier", "Nantes",    "Lille"};
const std::vector<std::string> kStages = {"subscriber", "lead", "mql", "sql", "customer"};

struct Row {
  std::vector<SqlValue> contact;  // id first, then the columns of kContactInsert
  std::vector<SqlValue> email;
  std::vector<SqlValue> audit;
  std::vector<SqlValue> event;
  std::vector<SqlValue> fts;
};

const std::string kContactColumns =
    "id, first_name, last_name, emails, phones, title, company_id, address, city, postcode, "
    "country, tags, lifecycle_stage, source, owner_id, team_id, score, custom, version, "
    "created_at, updated_at";
const std::string kEmailColumns = "email, contact_id";
const std::string kAuditColumns =
    "at, actor_user_id, entity, record_id, action, before_json, after_json";
const std::string kEventColumns = "at, type, entity, record_id, actor_user_id, payload_json";
const std::string kFtsColumns = "rowid, first_name, last_name, emails, phones, city";

// The record JSON is the one the server stores in audit and outbox rows (every field, nulls
// included), so the bytes written match.
Row make_row(std::int64_t id, std::size_t n, const std::string& now) {
  const std::string& first = kFirstNames[n % kFirstNames.size()];
  const std::string last = kLastNames[(n * 7) % kLastNames.size()] + std::to_string(n % 977);
  const std::string email = fmt::format("{}.{}.{}@exemple{}.fr", "prenom", "nom", id, n % 97);
  const std::string& city = kCities[n % kCities.size()];
  const std::string phone = fmt::format("+3361{:07d}", n % 10000000);
  const Json emails = Json::array({email});
  const Json phones = Json::array({phone});
  Json record = {{"id", id},
                 {"first_name", first},
                 {"last_name", last},
                 {"emails", emails},
                 {"phones", phones},
                 {"title", "Chef de projet"},
                 {"company_id", nullptr},
                 {"address", nullptr},
                 {"city", city},
                 {"postcode", fmt::format("{:05d}", 10000 + n % 80000)},
                 {"country", nullptr},
                 {"tags", nullptr},
                 {"lifecycle_stage", kStages[n % kStages.size()]},
                 {"source", nullptr},
                 {"owner_id", nullptr},
                 {"team_id", nullptr},
                 {"score", 0},
                 {"custom", Json::object()},
                 {"version", 1},
                 {"created_at", now},
                 {"updated_at", now}};
  Row row;
  row.contact = {id,
                 first,
                 last,
                 emails.dump(),
                 phones.dump(),
                 std::string("Chef de projet"),
                 nullptr,
                 nullptr,
                 city,
                 record["postcode"].get<std::string>(),
                 nullptr,
                 nullptr,
                 record["lifecycle_stage"].get<std::string>(),
                 nullptr,
                 nullptr,
                 nullptr,
                 std::int64_t{0},
                 std::string("{}"),
                 std::int64_t{1},
                 now,
                 now};
  row.email = {email, id};
  row.audit = {now,     std::int64_t{0}, std::string("contact"), id, std::string("create"),
               nullptr, record.dump()};
  row.event = {now,
               std::string("contact.created"),
               std::string("contact"),
               id,
               std::int64_t{0},
               Json{{"record", record}}.dump()};
  row.fts = {id, first, last, emails.dump(), phones.dump(), city};
  return row;
}

std::string placeholders(std::size_t columns, std::size_t rows) {
  std::string one = "(";
  for (std::size_t c = 0; c < columns; ++c) one += c == 0 ? "?" : ", ?";
  one += ")";
  std::string out;
  for (std::size_t r = 0; r < rows; ++r) out += (r == 0 ? "" : ", ") + one;
  return out;
}

// Writes rows [begin, end) of one table: one statement per row, or kMultiRows per statement.
void insert(Connection& db, const std::string& table, const std::string& columns,
            const std::vector<Row>& rows, std::size_t begin, std::size_t end,
            std::vector<SqlValue> Row::*part, bool multi_row) {
  const std::size_t width = (rows[begin].*part).size();
  std::size_t i = begin;
  if (multi_row) {
    const std::string sql = fmt::format("INSERT INTO {} ({}) VALUES {}", table, columns,
                                        placeholders(width, kMultiRows));
    for (; i + kMultiRows <= end; i += kMultiRows) {
      auto stmt = db.prepare(sql);
      int index = 1;
      for (std::size_t r = i; r < i + kMultiRows; ++r) {
        for (const SqlValue& v : rows[r].*part) stmt->bind(index++, v);
      }
      stmt->run();
    }
  }
  const std::string sql =
      fmt::format("INSERT INTO {} ({}) VALUES {}", table, columns, placeholders(width, 1));
  for (; i < end; ++i) {
    auto stmt = db.prepare(sql);
    stmt->bind_all(rows[i].*part);
    stmt->run();
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SQLite's own time for the rows a contact import writes (see the file comment)"};
  std::size_t count = 100000;
  std::string path = "/tmp/relais-import-floor.db";
  std::string skip_list;
  bool multi_row = false;
  app.add_option("--rows", count, "contacts to write")->check(CLI::PositiveNumber);
  app.add_option("--db", path, "SQLite file; created and migrated when missing");
  app.add_option("--skip", skip_list, "parts not written: any of fts,audit,outbox,emails");
  app.add_flag("--multi-row", multi_row, "64 rows per INSERT (except the FTS5 table)");
  CLI11_PARSE(app, argc, argv);

  std::set<std::string> skip;
  std::stringstream parts(skip_list);
  for (std::string part; std::getline(parts, part, ',');) {
    if (part != "fts" && part != "audit" && part != "outbox" && part != "emails") {
      fmt::print(stderr, "--skip: unknown part '{}'\n", part);
      return 1;
    }
    skip.insert(part);
  }

  if (!std::filesystem::exists(path)) {
    auto migrated = relais::storage::migrate("sqlite:" + path);
    if (!migrated.ok()) {
      fmt::print(stderr, "cannot create {}: {}\n", path, migrated.error().message);
      return 1;
    }
  }
  Connection db(path, false);
  // The rows written here mirror the schema by hand: stop loudly when a migration changed it.
  {
    std::string columns;
    auto info = db.prepare("SELECT group_concat(name, ', ') FROM pragma_table_info('contacts')");
    if (info->step()) columns = info->column_text(0);
    if (columns != kContactColumns) {
      fmt::print(stderr, "contacts now has columns ({}); update kContactColumns and make_row\n",
                 columns);
      return 1;
    }
  }
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA mmap_size = 0");
  db.exec("PRAGMA cache_size = -" + std::to_string(relais::storage::sqlite::kWriterCacheKiB));
  Checkpointer checkpointer(path, db);

  std::int64_t first_id = 1;
  {
    auto last = db.prepare("SELECT coalesce(max(id), 0) FROM contacts");
    if (last->step()) first_id = last->column_int64(0) + 1;
  }
  const std::string now = "2026-11-25T10:00:00.000Z";
  std::vector<Row> rows;
  rows.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    rows.push_back(make_row(first_id + static_cast<std::int64_t>(n), n, now));
  }

  const auto started = std::chrono::steady_clock::now();
  for (std::size_t begin = 0; begin < count; begin += kBatchRows) {
    const std::size_t end = std::min(count, begin + kBatchRows);
    db.exec("BEGIN IMMEDIATE");
    insert(db, "contacts", kContactColumns, rows, begin, end, &Row::contact, multi_row);
    if (!skip.count("emails"))
      insert(db, "contact_emails", kEmailColumns, rows, begin, end, &Row::email, multi_row);
    if (!skip.count("audit"))
      insert(db, "audit_log", kAuditColumns, rows, begin, end, &Row::audit, multi_row);
    if (!skip.count("outbox"))
      insert(db, "outbox_events", kEventColumns, rows, begin, end, &Row::event, multi_row);
    if (!skip.count("fts"))
      insert(db, "contacts_fts", kFtsColumns, rows, begin, end, &Row::fts, false);
    db.exec("COMMIT");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("{} contacts in {:.2f} s: {:.0f} rows/s (skip: {}; {} statements)\n", count, seconds,
             static_cast<double>(count) / seconds, skip_list.empty() ? "nothing" : skip_list,
             multi_row ? "multi-row" : "one-row");
  return 0;
}
