// The transfer table list (storage/transfer.hpp) against both engines' migrated schemas, and
// the checksums migrate-data verifies a copy with.
#include "storage/transfer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>

#include "common/crypto.hpp"
#include "common/testing/test_directory.hpp"
#include "domain/store.hpp"
#include "storage/common/chunked_blob_store.hpp"
#include "storage/open.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_transfer.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/sqlite_transfer.hpp"
#include "storage/transfer_copy.hpp"

namespace relais::storage {
namespace {

using Columns = std::map<std::string, std::string>;  // column -> declared type
using Schema = std::map<std::string, Columns>;       // table -> columns

// Every copied column in the engine's spelling of its type, and the engine's own columns.
Schema expected_schema(Engine engine, const char* integer, const char* text, const char* boolean,
                       const char* json, const char* bytes) {
  Schema schema;
  for (const auto& table : transfer_tables()) {
    for (const auto& column : table.columns) {
      const char* type = column.type == ColumnType::kInteger   ? integer
                         : column.type == ColumnType::kText    ? text
                         : column.type == ColumnType::kBoolean ? boolean
                         : column.type == ColumnType::kBytes   ? bytes
                                                               : json;
      schema[table.name][column.name] = type;
    }
    for (const auto& own : table.engine_only) {
      if (own.engine == engine) schema[table.name][own.name] = own.declared_type;
    }
  }
  return schema;
}

// A fresh database on the cluster named by RELAIS_TEST_PG_URL (as printed by
// scripts/pg-cluster), dropped again on destruction.
class PgTestDatabase {
 public:
  PgTestDatabase() {
    const char* base = std::getenv("RELAIS_TEST_PG_URL");
    if (base == nullptr || *base == '\0') {
      throw std::runtime_error("RELAIS_TEST_PG_URL is not set (scripts/pg-cluster start DIR)");
    }
    base_ = base;
    name_ = "relais_transfer_test_" + std::to_string(::getpid());
    postgres::PgConnection admin(base_);
    admin.exec("DROP DATABASE IF EXISTS " + name_);
    admin.exec("CREATE DATABASE " + name_);
  }
  ~PgTestDatabase() {
    try {
      postgres::PgConnection admin(base_);
      admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // the cluster is gone; nothing to clean up
    }
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  // "postgresql:///?host=..." -> "postgresql:///<name>?host=..."
  std::string url() const {
    const auto query = base_.find('?');
    std::string head = base_.substr(0, query);
    const std::string tail = query == std::string::npos ? "" : base_.substr(query);
    if (head.back() != '/') head = head.substr(0, head.rfind('/') + 1);
    return head + name_ + tail;
  }

 private:
  std::string base_;
  std::string name_;
};

TEST(TransferTables, ListEveryTableAndColumnOfTheSqliteSchema) {
  relais::testing::TestDirectory dir("transfer");
  sqlite::SqliteTransfer db((dir / "schema.db").string(), /*create=*/true);
  ASSERT_TRUE(db.migrate().ok());
  sqlite::Connection conn((dir / "schema.db").string(), false);
  Schema actual;
  std::vector<std::string> tables;
  {
    // Ordinary tables only: FTS5 tables are "virtual", their internals "shadow".
    auto list = conn.prepare(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name "
        "NOT IN ('schema_migrations', 'sqlite_sequence', 'sqlite_schema')");
    while (list->step()) tables.push_back(list->column_text(0));
  }
  for (const auto& table : tables) {
    auto columns = conn.prepare("SELECT name, type FROM pragma_table_info(?)");
    columns->bind(1, std::string_view(table));
    while (columns->step()) actual[table][columns->column_text(0)] = columns->column_text(1);
  }
  EXPECT_EQ(actual, expected_schema(Engine::kSqlite, "INTEGER", "TEXT", "INTEGER", "TEXT", "BLOB"))
      << "a migration added or changed a table or column: update storage/transfer_tables.cpp";
}

TEST(TransferTables, ListEveryTableAndColumnOfThePostgresSchema) {
  PgTestDatabase pg;
  postgres::PgTransfer db(pg.url());
  ASSERT_TRUE(db.migrate().ok());
  postgres::PgConnection conn(pg.url());
  // Generated columns (the search vectors) are the engine's own index, not copied. The
  // outbox's transaction ids (xid8, 0004_jobs.sql) are listed as PostgreSQL-only columns.
  auto rows = conn.query(
      "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
      "JOIN information_schema.tables t USING (table_schema, table_name) "
      "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
      "AND c.table_name <> 'schema_migrations' AND c.is_generated = 'NEVER'");
  Schema actual;
  for (int i = 0; i < rows.rows(); ++i) {
    actual[std::string(rows.text(i, 0))][std::string(rows.text(i, 1))] = rows.text(i, 2);
  }
  EXPECT_EQ(actual,
            expected_schema(Engine::kPostgres, "bigint", "text", "boolean", "jsonb", "bytea"))
      << "a migration added or changed a table or column: update storage/transfer_tables.cpp";
}

const TransferTable& table_named(const std::string& name) {
  for (const auto& t : transfer_tables()) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no table " + name);
}

// Rows whose JSON is spelled differently on each side (spacing, key order) and booleans as
// 0/1 versus true/false checksum the same after a copy; a changed value does not.
TEST(TransferChecksum, SameRowsSameChecksumAcrossEnginesAndAChangeShows) {
  relais::testing::TestDirectory dir("transfer");
  const std::string path = (dir / "source.db").string();
  sqlite::SqliteTransfer source(path, /*create=*/true);
  ASSERT_TRUE(source.migrate().ok());
  {
    sqlite::Connection conn(path, false);
    conn.exec(
        "INSERT INTO pipelines(id, name, stages, is_default, created_at, updated_at) VALUES "
        "(7, 'Ventes', '[ {\"name\": \"Lead\",  \"id\": \"lead\", \"probability\": 10} ]', 1, "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
    conn.exec(
        "INSERT INTO users(id, email, role, active, created_at, updated_at) VALUES "
        "(3, 'hélène@exemple.fr', 'admin', 0, '2026-01-01T00:00:00.000Z', "
        "'2026-01-01T00:00:00.000Z')");
  }
  PgTestDatabase pg;
  postgres::PgTransfer target(pg.url());
  auto report = copy_installation(source, target, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->committed);
  for (const auto& check : report->tables) EXPECT_TRUE(check.matches()) << check.table;

  const auto& pipelines = table_named("pipelines");
  const TableSum before = table_checksum(source, pipelines);
  EXPECT_EQ(table_checksum(target, pipelines).checksum, before.checksum);
  EXPECT_EQ(before.rows, 1);
  postgres::PgConnection conn(pg.url());
  EXPECT_EQ(conn.query("SELECT nextval(pg_get_serial_sequence('pipelines', 'id'))").int64(0, 0), 8);
  conn.exec("UPDATE pipelines SET is_default = false");
  EXPECT_NE(table_checksum(target, pipelines).checksum, before.checksum);
  EXPECT_EQ(table_checksum(target, table_named("users")).checksum,
            table_checksum(source, table_named("users")).checksum);

  // Copied once, the target is no longer empty: refused without force, replaced with it.
  auto again = copy_installation(source, target, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  CopyOptions force;
  force.force = true;
  auto forced = copy_installation(source, target, force);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(table_checksum(target, pipelines).checksum, before.checksum);
}

// The newest records were deleted before the move: their ids stay retired on the target
// (their audit entries still name them), in both directions.
TEST(TransferIds, CountersContinueAfterTheSourcesLastIssuedIdNotAfterMaxId) {
  relais::testing::TestDirectory dir("transfer-ids");
  const std::string path = (dir / "source.db").string();
  sqlite::SqliteTransfer source(path, /*create=*/true);
  ASSERT_TRUE(source.migrate().ok());
  {
    sqlite::Connection conn(path, false);
    // Pipelines: no full-text index for raw SQL to leave behind.
    for (int i = 0; i < 5; ++i) {
      conn.exec(
          "INSERT INTO pipelines(name, stages, is_default, created_at, updated_at) VALUES "
          "('Ventes', '[]', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
    }
    conn.exec("DELETE FROM pipelines WHERE id > 2");  // ids 3, 4, 5 were issued
  }
  EXPECT_EQ(source.last_issued_id(table_named("pipelines")), 5);

  PgTestDatabase pg;
  postgres::PgTransfer target(pg.url());
  auto report = copy_installation(source, target, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_TRUE(report->committed);
  postgres::PgConnection conn(pg.url());
  EXPECT_EQ(conn.query("SELECT nextval(pg_get_serial_sequence('pipelines', 'id'))").int64(0, 0), 6);
  EXPECT_EQ(target.last_issued_id(table_named("pipelines")), 6);  // issued, never used
  // Analysed with the copy: the planner knows the rows (-1 would be "never analysed").
  EXPECT_EQ(
      conn.query("SELECT reltuples::bigint FROM pg_class WHERE relname = 'pipelines'").int64(0, 0),
      2);

  // Back to a fresh SQLite file: the next pipeline there is 7.
  const std::string back_path = (dir / "back.db").string();
  sqlite::SqliteTransfer back(back_path, /*create=*/true);
  auto returned = copy_installation(target, back, {});
  ASSERT_TRUE(returned.ok()) << returned.error().message;
  ASSERT_TRUE(returned->committed);
  sqlite::Connection check(back_path, false);
  check.exec(
      "INSERT INTO pipelines(name, stages, is_default, created_at, updated_at) VALUES "
      "('Next', '[]', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
  auto id = check.prepare("SELECT max(id) FROM pipelines");
  ASSERT_TRUE(id->step());
  EXPECT_EQ(id->column_int64(0), 7);
}

// The ids of the events `consumer` will take next, as the store's job queue hands them out.
std::set<std::int64_t> events_after_cursor(domain::Store& store, const std::string& consumer) {
  std::set<std::int64_t> ids;
  auto r = store.read([&](domain::Transaction& tx) -> Result<Json> {
    const auto cursor = tx.jobs().consumer_cursor(consumer);
    EXPECT_TRUE(cursor.has_value()) << consumer;
    for (const auto& event :
         tx.jobs().outbox_after(cursor.value_or(domain::OutboxPosition{}), 100)) {
      ids.insert(event.id);
    }
    return Json();
  });
  EXPECT_TRUE(r.ok()) << r.error().message;
  return ids;
}

constexpr const char* kEventValues =
    "'2026-01-01T00:00:00.000Z', 'deal.updated', 'deals', 1, 1, '{}'";

// SQLite takes events in id order, its cursor is the id of the last one taken. PostgreSQL
// takes them in (tx, id) order: copied, a cursor must stay after the events it had taken,
// not fall back to the start of the outbox (every event taken again).
TEST(TransferOutbox, CopiedToPostgresAConsumerTakesOnlyTheEventsAfterItsCursor) {
  relais::testing::TestDirectory dir("transfer");
  const std::string path = (dir / "source.db").string();
  sqlite::SqliteTransfer source(path, /*create=*/true);
  ASSERT_TRUE(source.migrate().ok());
  {
    sqlite::Connection conn(path, false);
    for (int id = 1; id <= 3; ++id) {
      conn.exec(
          "INSERT INTO outbox_events(id, at, type, entity, record_id, actor_user_id, "
          "payload_json) VALUES (" +
          std::to_string(id) + ", " + kEventValues + ")");
    }
    conn.exec(
        "INSERT INTO outbox_consumers(name, last_event_id, updated_at) VALUES ('hooks', 2, 0), "
        "('fresh', 0, 0)");
  }
  PgTestDatabase pg;
  {
    postgres::PgTransfer target(pg.url());
    auto report = copy_installation(source, target, {});
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->committed);
  }
  auto store = open_store(pg.url());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(events_after_cursor(**store, "hooks"), (std::set<std::int64_t>{3}));
  EXPECT_EQ(events_after_cursor(**store, "fresh"), (std::set<std::int64_t>{1, 2, 3}));
}

// PostgreSQL's ids are handed out before commit, so an event with a lower id can come later
// in (tx, id) order. Copied to SQLite (id order), a cursor may take an event again, but no
// event its consumer had not taken may end up at or below it.
TEST(TransferOutbox, CopiedToSqliteNoEventAConsumerHadNotTakenIsAtOrBelowItsCursor) {
  PgTestDatabase pg;
  {
    postgres::PgTransfer migrated(pg.url());
    ASSERT_TRUE(migrated.migrate().ok());
  }
  const std::string insert =
      std::string(
          "INSERT INTO outbox_events(at, type, entity, record_id, actor_user_id, "
          "payload_json) VALUES (") +
      kEventValues + ") RETURNING id, tx::text";
  postgres::PgConnection early(pg.url());
  postgres::PgConnection late(pg.url());
  early.exec("BEGIN");
  early.query("SELECT pg_current_xact_id()");  // the lower transaction id
  late.exec("BEGIN");
  late.query("SELECT pg_current_xact_id()");
  auto first = late.query(insert);  // id 1, the later transaction: committed last
  auto second = early.query(insert);
  early.exec("COMMIT");
  late.exec("COMMIT");
  auto third = early.query(insert);
  ASSERT_EQ(first.int64(0, 0), 1);
  ASSERT_EQ(second.int64(0, 0), 2);
  ASSERT_EQ(third.int64(0, 0), 3);
  // (tx, id) order: 2, 1, 3. Each consumer took the events up to its position.
  struct Consumer {
    const char* name;
    const postgres::PgResult* last_taken;
    std::set<std::int64_t> not_taken;
  };
  const std::vector<Consumer> consumers = {
      {"after_2", &second, {1, 3}}, {"after_1", &first, {3}}, {"after_3", &third, {}}};
  for (const auto& c : consumers) {
    early.query(
        "INSERT INTO outbox_consumers(name, last_event_tx, last_event_id, updated_at) "
        "VALUES ($1, $2::text::xid8, $3, 0)",
        postgres::params(std::string(c.name), std::string(c.last_taken->text(0, 1)),
                         c.last_taken->int64(0, 0)));
  }

  relais::testing::TestDirectory dir("transfer");
  const std::string path = (dir / "moved.db").string();
  {
    postgres::PgTransfer source(pg.url());
    sqlite::SqliteTransfer target(path, /*create=*/true);
    auto report = copy_installation(source, target, {});
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->committed);
  }
  auto store = open_store("sqlite:" + path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (const auto& c : consumers) {
    const auto next = events_after_cursor(**store, c.name);
    for (const std::int64_t id : c.not_taken) EXPECT_TRUE(next.count(id)) << c.name << " " << id;
  }
  // Where id order and (tx, id) order agree, nothing is taken again.
  EXPECT_TRUE(events_after_cursor(**store, "after_3").empty());
}

// Bytes of every value, different from one seed to another.
std::string blob_bytes(std::size_t size, unsigned seed) {
  std::string out(size, '\0');
  std::uint32_t x = 0x9e3779b9U ^ seed;
  for (auto& c : out) {
    x = x * 1664525U + 1013904223U;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

// Blobs cross engines in both directions with their chunks, digests and references: read
// back (which re-hashes the whole content) they equal the SHA-256 of what was written, and
// the target stores the same content only once.
TEST(TransferBlobs, SurviveSqliteToPostgresAndBackWithTheirDigests) {
  relais::testing::TestDirectory dir("transfer");
  const std::string path = (dir / "source.db").string();
  const std::vector<std::string> contents{blob_bytes(0, 1), blob_bytes(1, 2),
                                          blob_bytes(256 * 1024, 3),
                                          blob_bytes(5 * 256 * 1024 + 4321, 4)};
  std::vector<std::string> digests;
  {
    auto store = open_store("sqlite:" + path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ChunkedBlobStore blobs(**store, {});
    for (const auto& bytes : contents) {
      auto stored = blobs.write_bytes(bytes);
      ASSERT_TRUE(stored.ok()) << stored.error().message;
      digests.push_back(stored->digest);
    }
    ASSERT_TRUE((*store)
                    ->write([&](domain::Transaction& tx) -> Result<Json> {
                      RELAIS_TRY(tx.blobs().add_ref(digests[3]));
                      return Json();
                    })
                    .ok());
  }
  const auto check = [&](domain::Store& store) {
    ChunkedBlobStore blobs(store, {});
    for (std::size_t i = 0; i < contents.size(); ++i) {
      auto back = blobs.read_all(digests[i]);
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(crypto::sha256_hex(back.value()), digests[i]);
      EXPECT_TRUE(back.value() == contents[i]) << i;
    }
    EXPECT_EQ(blobs.stat(digests[3]).value()->refs, 1);
    // The digest index came along: the same content is not stored again, new content gets
    // ids after the copied ones.
    ASSERT_TRUE(blobs.write_bytes(contents[2]).ok());
    EXPECT_EQ(blobs.usage().value().blobs, 4);
    EXPECT_EQ(blobs.usage().value().chunks, 0 + 1 + 1 + 6);  // the empty blob has none
    ASSERT_TRUE(blobs.write_bytes(blob_bytes(300'000, 5)).ok());
    EXPECT_EQ(blobs.usage().value().blobs, 5);
  };
  PgTestDatabase pg;
  {
    sqlite::SqliteTransfer source(path, /*create=*/false);
    postgres::PgTransfer target(pg.url());
    CopyOptions options;
    options.batch_rows = 3;  // several batches of chunks
    auto report = copy_installation(source, target, options);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->committed);
    for (const auto& t : report->tables) EXPECT_TRUE(t.matches()) << t.table;
  }
  {
    auto store = open_store(pg.url());
    ASSERT_TRUE(store.ok()) << store.error().message;
    check(**store);
  }
  const std::string back_path = (dir / "back.db").string();
  {
    postgres::PgTransfer source(pg.url());
    sqlite::SqliteTransfer target(back_path, /*create=*/true);
    auto report = copy_installation(source, target, {});
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->committed);
    for (const auto& t : report->tables) EXPECT_TRUE(t.matches()) << t.table;
  }
  auto store = open_store("sqlite:" + back_path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ChunkedBlobStore blobs(**store, {});
  for (std::size_t i = 0; i < contents.size(); ++i) {
    auto back = blobs.read_all(digests[i]);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back.value() == contents[i]) << i;
  }
  EXPECT_EQ(blobs.usage().value().blobs, 5);
}

}  // namespace
}  // namespace relais::storage
