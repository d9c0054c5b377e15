// The deferred full-text inserts must leave every FTS index exactly as the old per-row
// triggers did: rolled-back units leave nothing, updates and deletes see queued inserts,
// searches inside a unit of work see its own rows, concurrent batches stay consistent.
#include "storage/sqlite/fts_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "common/testing/test_directory.hpp"
#include "domain/store.hpp"
#include "storage/open.hpp"

namespace relais::storage::sqlite {
namespace {

using domain::contact_schema;
using domain::Transaction;

class FtsLogTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_ / "relais.db").string(); }

  // Rowids matching `query` in contacts_fts, read straight from the file.
  std::vector<std::int64_t> fts_rowids(const std::string& query) {
    Connection db(path(), false);
    auto stmt = db.prepare("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY 1");
    stmt->bind(1, std::string_view(query));
    std::vector<std::int64_t> ids;
    while (stmt->step()) ids.push_back(stmt->column_int64(0));
    return ids;
  }
  // FTS5's own consistency check of an external-content index against its table.
  void expect_index_consistent() {
    Connection db(path(), false);
    EXPECT_NO_THROW(
        db.exec("INSERT INTO contacts_fts(contacts_fts, rank) "
                "VALUES ('integrity-check', 1)"));
  }

  relais::testing::TestDirectory dir_{"relais-fts"};
};

TEST_F(FtsLogTest, RollbackToRequeuesInsertsFlushedInsideTheFailedUnit) {
  Connection db(path(), true);
  db.exec("CREATE VIRTUAL TABLE t_fts USING fts5(name)");
  const std::string insert = "INSERT INTO t_fts(rowid, name) VALUES (?, ?)";
  FtsLog log;
  db.exec("BEGIN");
  log.add(insert, {std::int64_t{1}, std::string("alpha")});  // an earlier, successful unit
  const FtsLog::Mark mark = log.mark();
  db.exec("SAVEPOINT unit");
  log.add(insert, {std::int64_t{2}, std::string("beta")});
  log.flush(db);  // e.g. the failing unit searched: both rows written inside its savepoint
  db.exec("ROLLBACK TO unit");
  db.exec("RELEASE unit");
  log.rollback_to(mark);
  EXPECT_TRUE(log.pending());
  log.flush(db);
  db.exec("COMMIT");
  log.clear();
  auto stmt = db.prepare("SELECT rowid FROM t_fts WHERE t_fts MATCH 'alpha OR beta'");
  std::vector<std::int64_t> ids;
  while (stmt->step()) ids.push_back(stmt->column_int64(0));
  EXPECT_EQ(ids, std::vector<std::int64_t>{1});
}

TEST_F(FtsLogTest, SearchUpdateAndDeleteSeeQueuedInserts) {
  std::int64_t kept = 0;
  {
    auto store = open_store("sqlite:" + path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto written = (*store)->write([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(Json a, tx.insert(contact_schema(), {{"first_name", "Zéphyrin"}}));
      RELAIS_ASSIGN_OR_RETURN(Json b, tx.insert(contact_schema(), {{"first_name", "Gontran"}}));
      domain::ListQuery q;
      q.text_search = "zephy";
      RELAIS_ASSIGN_OR_RETURN(domain::Page page, tx.list(contact_schema(), q));
      EXPECT_EQ(page.items.size(), 1u);  // the unit sees its own queued row
      RELAIS_TRY(tx.update(contact_schema(), a["id"].get<std::int64_t>(),
                           {{"first_name", "Barnabé"}}, std::nullopt));
      RELAIS_TRY(tx.remove(contact_schema(), b["id"].get<std::int64_t>()));
      kept = a["id"].get<std::int64_t>();
      return Json();
    });
    ASSERT_TRUE(written.ok()) << written.error().message;
    auto failed = (*store)->write([&](Transaction& tx) -> Result<Json> {
      RELAIS_TRY(tx.insert(contact_schema(), {{"first_name", "Fantôme"}}));
      return Error::validation("rolled back on purpose");
    });
    ASSERT_FALSE(failed.ok());
  }
  EXPECT_EQ(fts_rowids("barnabe"), std::vector<std::int64_t>{kept});
  EXPECT_TRUE(fts_rowids("zephyrin").empty());
  EXPECT_TRUE(fts_rowids("gontran").empty());
  EXPECT_TRUE(fts_rowids("fantome").empty());
  expect_index_consistent();
}

TEST_F(FtsLogTest, ConcurrentBatchesWithFailingUnitsKeepTheIndexExact) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::atomic<int> committed{0};
  {
    auto store = open_store("sqlite:" + path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const bool fail = (i % 3) == 1;
          auto r = (*store)->write([&](Transaction& tx) -> Result<Json> {
            RELAIS_ASSIGN_OR_RETURN(
                Json c, tx.insert(contact_schema(),
                                  {{"first_name", "Quentin"}, {"last_name", "Concurrent"}}));
            if (i % 5 == 0) {  // some units also update, flushing the queue mid-batch
              RELAIS_TRY(tx.update(contact_schema(), c["id"].get<std::int64_t>(),
                                   {{"city", "Besançon"}}, std::nullopt));
            }
            if (fail) return Error::validation("rolled back on purpose");
            return Json();
          });
          if (r.ok()) ++committed;
          EXPECT_EQ(r.ok(), !fail) << t;
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  EXPECT_EQ(fts_rowids("concurrent").size(), static_cast<std::size_t>(committed.load()));
  Connection db(path(), false);
  auto count = db.prepare("SELECT count(*) FROM contacts");
  ASSERT_TRUE(count->step());
  EXPECT_EQ(count->column_int64(0), committed.load());
  expect_index_consistent();
}

TEST_F(FtsLogTest, InsertReturnsExactlyWhatGetReads) {
  auto store = open_store("sqlite:" + path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto r = (*store)->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json stored,
                            tx.insert(contact_schema(), {{"first_name", "Anaïs"},
                                                         {"emails", Json::array({"a@b.fr"})},
                                                         {"tags", Json::array()},
                                                         {"custom", {{"n", 1.5}, {"k", "v"}}},
                                                         {"score", 7.0}}));
    RELAIS_ASSIGN_OR_RETURN(Json read, tx.get(contact_schema(), stored["id"].get<std::int64_t>()));
    EXPECT_EQ(stored.dump(), read.dump());
    return Json();
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
}

}  // namespace
}  // namespace relais::storage::sqlite
