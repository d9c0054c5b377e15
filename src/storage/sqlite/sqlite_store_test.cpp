// Runs the storage contract suite on SQLite, plus SQLite-only checks: the migration agrees
// with the EntitySchemas, version refusal, URL handling, PRAGMAs.
#include "storage/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "common/testing/test_directory.hpp"
#include "storage/open.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/store_contract.hpp"

namespace relais::storage::testing {
namespace {

StoreEngine sqlite_engine() {
  return {"Sqlite", [](const std::filesystem::path& dir) {
            return open_store("sqlite:" + (dir / "relais.db").string());
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(sqlite_engine()),
                         engine_name);

class SqliteEngineTest : public ::testing::Test {
 protected:
  // In a directory that does not exist yet: opening must create it.
  std::string path() const { return (dir_ / "sub" / "relais.db").string(); }
  relais::testing::TestDirectory dir_{"relais-sqlite"};
};

TEST_F(SqliteEngineTest, MigrationThreeGivesOldDateTimesTheirMilliseconds) {
  std::filesystem::create_directories(dir_ / "sub");
  {
    // A database as version 2 left it, with one date-time in the old second-only form.
    sqlite::Connection db(path(), true);
    db.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)");
    for (const auto& m : sqlite::embedded_migrations()) {
      if (m.version > 2) continue;
      db.exec(m.sql);
      auto stmt =
          db.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, 'x')");
      stmt->bind(1, static_cast<std::int64_t>(m.version));
      stmt->bind(2, std::string_view(m.name));
      stmt->run();
    }
    db.exec(
        "INSERT INTO activities(type, subject, occurred_at, version, created_at, updated_at) "
        "VALUES ('call', 'old', '2025-03-01T09:00:00Z', 1, '2025-03-01T09:00:00.000Z', "
        "'2025-03-01T09:00:00.000Z'), ('call', 'new', '2025-03-01T09:00:00.250Z', 1, "
        "'2025-03-01T09:00:00.000Z', '2025-03-01T09:00:00.000Z')");
    db.exec(
        "INSERT INTO pipelines(name, stages, is_default, version, created_at, updated_at) "
        "VALUES ('P', '[]', 1, 1, '2025-03-01T09:00:00.000Z', '2025-03-01T09:00:00.000Z')");
    db.exec(
        "INSERT INTO deals(title, amount, currency, pipeline_id, stage_id, status, "
        "stage_changed_at, closed_at, version, created_at, updated_at) VALUES ('D', 0, 'EUR', 1, "
        "'won', 'won', '2025-03-02T10:00:00Z', '2025-03-02T10:00:00Z', 1, "
        "'2025-03-01T09:00:00.000Z', '2025-03-01T09:00:00.000Z')");
    db.exec(
        "INSERT INTO tasks(title, status, completed_at, version, created_at, updated_at) VALUES "
        "('T', 'done', '2025-03-03T11:00:00Z', 1, '2025-03-01T09:00:00.000Z', "
        "'2025-03-01T09:00:00.000Z')");
  }
  ASSERT_TRUE(migrate("sqlite:" + path()).ok());
  sqlite::Connection db(path(), false);
  auto stmt = db.prepare("SELECT subject, occurred_at FROM activities ORDER BY occurred_at");
  ASSERT_TRUE(stmt->step());
  EXPECT_EQ(stmt->column_text(0), "old");
  EXPECT_EQ(stmt->column_text(1), "2025-03-01T09:00:00.000Z");
  ASSERT_TRUE(stmt->step());
  EXPECT_EQ(stmt->column_text(1), "2025-03-01T09:00:00.250Z");
  auto deal = db.prepare("SELECT stage_changed_at, closed_at FROM deals");
  ASSERT_TRUE(deal->step());
  EXPECT_EQ(deal->column_text(0), "2025-03-02T10:00:00.000Z");
  EXPECT_EQ(deal->column_text(1), "2025-03-02T10:00:00.000Z");
  auto task = db.prepare("SELECT completed_at FROM tasks");
  ASSERT_TRUE(task->step());
  EXPECT_EQ(task->column_text(0), "2025-03-03T11:00:00.000Z");
}

TEST_F(SqliteEngineTest, MigrationMatchesEveryEntitySchema) {
  ASSERT_TRUE(migrate("sqlite:" + path()).ok());
  sqlite::Connection db(path(), false);
  for (const auto* schema : domain::all_schemas()) {
    SCOPED_TRACE(schema->plural);
    std::set<std::string> columns;
    auto stmt = db.prepare("SELECT name FROM pragma_table_info(?)");
    stmt->bind(1, std::string_view(schema->plural));
    while (stmt->step()) columns.insert(stmt->column_text(0));
    std::set<std::string> fields;
    for (const auto& f : schema->fields) fields.insert(f.name);
    if (schema->plural == "users") fields.insert("password_hash");
    EXPECT_EQ(columns, fields);

    std::set<std::string> searchable;
    for (const auto& f : schema->fields) {
      if (f.searchable) searchable.insert(f.name);
    }
    std::set<std::string> fts;
    auto fts_stmt = db.prepare("SELECT name FROM pragma_table_info(?)");
    fts_stmt->bind(1, std::string_view(schema->plural + "_fts"));
    while (fts_stmt->step()) fts.insert(fts_stmt->column_text(0));
    EXPECT_EQ(fts, searchable);
  }
}

TEST_F(SqliteEngineTest, MigrateIsIdempotentAndRecordsVersions) {
  auto first = migrate("sqlite:" + path());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first.value(), sqlite::latest_schema_version());
  auto second = migrate("sqlite:" + path());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value(), first.value());
  sqlite::Connection db(path(), false);
  auto stmt = db.prepare("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(stmt->step());
  EXPECT_EQ(stmt->column_int64(0), static_cast<std::int64_t>(sqlite::embedded_migrations().size()));
}

TEST_F(SqliteEngineTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_TRUE(migrate("sqlite:" + path()).ok());
  {
    sqlite::Connection db(path(), false);
    db.exec(
        "INSERT INTO schema_migrations(version, name, applied_at) "
        "VALUES (9999, '9999_future', '2030-01-01T00:00:00.000Z')");
  }
  auto store = open_store("sqlite:" + path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kConflict);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
  auto again = migrate("sqlite:" + path());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(SqliteEngineTest, WithoutMigrateAFreshDatabaseIsRefused) {
  StoreOptions options;
  options.migrate = false;
  auto store = open_store("sqlite:" + path(), options);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("relais migrate"), std::string::npos);
  ASSERT_TRUE(migrate("sqlite:" + path()).ok());
  EXPECT_TRUE(open_store("sqlite:" + path(), options).ok());
}

TEST_F(SqliteEngineTest, UrlSchemes) {
  // A PostgreSQL URL goes to the PostgreSQL engine; its errors never repeat the password.
  auto pg = open_store("postgres://user:secret@/relais?host=/nonexistent-relais-socket-dir");
  ASSERT_FALSE(pg.ok());
  EXPECT_NE(pg.error().message.find("PostgreSQL"), std::string::npos) << pg.error().message;
  EXPECT_EQ(pg.error().message.find("secret"), std::string::npos);
  auto other = open_store("mysql://root:secret@x/y");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message.find("secret"), std::string::npos);
  EXPECT_FALSE(open_store("sqlite:").ok());
  EXPECT_FALSE(open_store("sqlite::memory:").ok());
}

// The outbox is read by the job runner with SQL, not through the port: check its stamp here.
TEST_F(SqliteEngineTest, EffectiveTimeStampsOutboxAndAuditRows) {
  auto store = open_store("sqlite:" + path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::string at = "2025-01-02T03:04:05.678Z";
  auto written = (*store)->write([&](domain::Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_effective_time(at));
    tx.record_event({"contact.created", "contact", 1, 0, Json::object()});
    tx.record_audit({0, "contact", 1, "create", nullptr, Json{{"first_name", "A"}}});
    return Json();
  });
  ASSERT_TRUE(written.ok()) << written.error().message;
  sqlite::Connection db(path(), false);
  for (const char* sql : {"SELECT at FROM outbox_events", "SELECT at FROM audit_log"}) {
    auto stmt = db.prepare(sql);
    ASSERT_TRUE(stmt->step()) << sql;
    EXPECT_EQ(stmt->column_text(0), at) << sql;
    EXPECT_FALSE(stmt->step()) << sql;
  }
}

// With the scope "records only", the record is backdated but its audit row and event are not.
TEST_F(SqliteEngineTest, RecordsOnlyEffectiveTimeLeavesOutboxAndAuditOnTheClock) {
  auto store = open_store("sqlite:" + path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::string at = "2025-01-02T03:04:05.678Z";
  std::string clock_before;
  auto written = (*store)->write([&](domain::Transaction& tx) -> Result<Json> {
    clock_before = tx.effective_time();
    tx.set_effective_time_scope(domain::EffectiveTimeScope::kRecordsOnly);
    RELAIS_TRY(tx.set_effective_time(at));
    RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(domain::contact_schema(), {{"first_name", "A"}}));
    tx.record_event({"contact.created", "contact", 1, 0, Json::object()});
    tx.record_audit({0, "contact", 1, "create", nullptr, Json{{"first_name", "A"}}});
    return c;
  });
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ((*written)["created_at"], at);
  sqlite::Connection db(path(), false);
  for (const char* sql : {"SELECT at FROM outbox_events", "SELECT at FROM audit_log"}) {
    auto stmt = db.prepare(sql);
    ASSERT_TRUE(stmt->step()) << sql;
    EXPECT_GE(stmt->column_text(0), clock_before) << sql;
  }
}

TEST_F(SqliteEngineTest, WalAndFullSynchronousAreInForce) {
  auto store = open_store("sqlite:" + path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  sqlite::Connection db(path(), false);
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  EXPECT_TRUE(std::filesystem::exists(path()));
}

// The memory budget of decision 0006: bounded page caches and no memory-mapped file pages.
TEST_F(SqliteEngineTest, ConnectionsUseTheMemoryBudget) {
  ASSERT_TRUE(migrate("sqlite:" + path()).ok());
  auto pragma = [](sqlite::Connection& db, const char* sql) {
    auto statement = db.prepare(sql);
    EXPECT_TRUE(statement->step());
    return statement->column_int64(0);
  };
  for (const bool reader : {false, true}) {
    sqlite::Connection db(path(), false);
    db.exec("PRAGMA mmap_size = 268435456");  // whatever was there before is replaced
    sqlite::configure_connection(db, reader);
    EXPECT_EQ(pragma(db, "PRAGMA mmap_size"), 0) << "reader " << reader;
    EXPECT_EQ(pragma(db, "PRAGMA cache_size"),
              -(reader ? sqlite::kReaderCacheKiB : sqlite::kWriterCacheKiB))
        << "reader " << reader;
  }
}

}  // namespace
}  // namespace relais::storage::testing
