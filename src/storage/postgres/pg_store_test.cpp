// Runs the storage contract suites (store, job queue, API tokens) on PostgreSQL, each test on
// a fresh database of the test cluster (RELAIS_TEST_PG_URL), plus PostgreSQL-only checks.
#include "storage/postgres/pg_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "domain/schema/entity_schema.hpp"
#include "storage/open.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/store_contract.hpp"
#include "storage/testing/pg_test_database.hpp"

namespace relais::storage::testing {
namespace {

StoreEngine postgres_engine() {
  return {"Postgres",
          [](const std::filesystem::path& dir) -> Result<std::unique_ptr<domain::Store>> {
            const std::string name = pg_database_name_for(dir.string());
            pg_create_database(name);
            return open_store(pg_database_url(pg_test_base_url(), name));
          },
          [](const std::filesystem::path& dir) {
            pg_drop_database(pg_database_name_for(dir.string()));
          }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::Values(postgres_engine()),
                         engine_name);

// Every record table, from the schemas, as a PostgreSQL text[] literal.
std::string plurals() {
  std::string out = "{";
  for (const auto* schema : domain::all_schemas())
    out += (out.size() > 1 ? "," : "") + schema->plural;
  return out + "}";
}

class PostgresEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = pg_database_name_for(::testing::UnitTest::GetInstance()->current_test_info()->name());
    pg_drop_database(name_);
    pg_create_database(name_);
  }
  void TearDown() override { pg_drop_database(name_); }
  std::string url() const { return pg_database_url(pg_test_base_url(), name_); }
  std::string name_;
};

TEST_F(PostgresEngineTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_TRUE(migrate(url()).ok());
  {
    postgres::PgConnection db(url());
    db.query("INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, 'future', 'x')",
             {std::int64_t{postgres::latest_schema_version() + 1}});
  }
  auto store = open_store(url());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer than this relais binary"), std::string::npos);
}

TEST_F(PostgresEngineTest, ServersStartingTogetherApplyEachMigrationOnce) {
  std::vector<std::thread> servers;
  servers.reserve(4);
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    servers.emplace_back([&] {
      if (!open_store(url()).ok()) ++failures;
    });
  }
  for (auto& t : servers) t.join();
  EXPECT_EQ(failures.load(), 0);
  postgres::PgConnection db(url());
  auto rows = db.query("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
  EXPECT_EQ(rows.int64(0, 0), postgres::latest_schema_version());
  EXPECT_EQ(rows.int64(0, 1), postgres::latest_schema_version());
}

TEST_F(PostgresEngineTest, TablesWithUniqueKeysAreTheOnesTheEngineGuards) {
  // pg_transaction.cpp answers a unique violation with the existing id only for these tables
  // (an internal savepoint per write); a new unique index elsewhere must be added there.
  ASSERT_TRUE(migrate(url()).ok());
  postgres::PgConnection db(url());
  auto rows = db.query(
      "SELECT DISTINCT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
      "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE i.indisunique AND NOT i.indisprimary "
      "AND n.nspname = current_schema() AND t.relname IN (SELECT plural FROM unnest($1::text[]) "
      "AS plural) ORDER BY 1",
      {plurals()});
  std::set<std::string> found;
  for (int r = 0; r < rows.rows(); ++r) found.emplace(rows.text(r, 0));
  EXPECT_EQ(found, (std::set<std::string>{"companies", "custom_fields", "users"}));
}

}  // namespace
}  // namespace relais::storage::testing
