// Storage contract suite, part 3: what a second engine needs to be trusted — racing writes on
// one row and on one unique key from two Store instances (two processes) on one database,
// snapshot reads, search on every searchable field of every schema, and the NULL order.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "domain/schema/entity_schema.hpp"
#include "storage/store_contract.hpp"
#include "storage/testing/required_values.hpp"

namespace relais::storage::testing {
namespace {

using domain::EntitySchema;
using domain::FieldType;
using domain::ListQuery;
using domain::Transaction;

// The same database opened again, as another process would.
std::unique_ptr<domain::Store> open_again(const StoreEngine& engine,
                                          const std::filesystem::path& dir) {
  auto store = engine.open(dir);
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(store).value() : nullptr;
}

}  // namespace

// Read-modify-write of one counter from 8 threads over two stores: no update is lost, and no
// unit sees a value another committed unit has already replaced (engines serialise write
// units: SQLite one writer, PostgreSQL SERIALIZABLE with retries).
TEST_P(StoreContractTest, RacingReadModifyWritesOfOneRowFromTwoStoresLoseNothing) {
  const auto& contacts = domain::contact_schema();
  const Json created = write([&](Transaction& tx) {
    return tx.insert(contacts, Json{{"first_name", "Compteur"}, {"city", "0"}});
  });
  const auto id = created["id"].get<std::int64_t>();
  auto other = open_again(GetParam(), dir_->path());
  ASSERT_NE(other, nullptr);
  std::vector<domain::Store*> stores{store_.get(), other.get()};
  constexpr int kThreads = 8;
  constexpr int kIncrements = 25;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        auto r = stores[t % 2]->write([&](Transaction& tx) -> Result<Json> {
          RELAIS_ASSIGN_OR_RETURN(Json c, tx.get(contacts, id));
          const int n = std::stoi(c["city"].get<std::string>());
          return tx.update(contacts, id, Json{{"city", std::to_string(n + 1)}}, std::nullopt);
        });
        if (!r.ok()) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  const Json c = read([&](Transaction& tx) { return tx.get(contacts, id); });
  EXPECT_EQ(c["city"], std::to_string(kThreads * kIncrements));
  EXPECT_EQ(c["version"], 1 + kThreads * kIncrements);
}

// Many units race to take one e-mail address, from two stores: exactly one wins, every other
// gets a conflict (never an internal error, never two owners).
TEST_P(StoreContractTest, RacingInsertsOfOneUniqueKeyFromTwoStoresHaveOneWinner) {
  const auto& contacts = domain::contact_schema();
  auto other = open_again(GetParam(), dir_->path());
  ASSERT_NE(other, nullptr);
  std::vector<domain::Store*> stores{store_.get(), other.get()};
  constexpr int kThreads = 8;
  std::atomic<int> won{0};
  std::atomic<int> conflicts{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto r = stores[t % 2]->write([&](Transaction& tx) -> Result<Json> {
        RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(contacts, Json{{"first_name", "Rival"}}));
        RELAIS_TRY(tx.set_contact_emails(c["id"].get<std::int64_t>(), {"seul@exemple.fr"}));
        return c;
      });
      if (r.ok()) {
        ++won;
      } else if (r.error().code == ErrorCode::kConflict) {
        ++conflicts;
      } else {
        ++unexpected;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(unexpected.load(), 0);
  const Json count = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto n, tx.count(contacts, ListQuery{}));
    return Json(n);
  });
  EXPECT_EQ(count, 1) << "a losing unit left its contact behind";
}

// A read unit sees one snapshot: a commit by another store in the middle of it is not seen
// by its later statements.
TEST_P(StoreContractTest, AReadUnitSeesOneSnapshot) {
  const auto& contacts = domain::contact_schema();
  write([&](Transaction& tx) { return tx.insert(contacts, Json{{"first_name", "Avant"}}); });
  auto other = open_again(GetParam(), dir_->path());
  ASSERT_NE(other, nullptr);
  const Json seen = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto before, tx.count(contacts, ListQuery{}));
    std::thread writer([&] {
      auto r = other->write([&](Transaction& w) {
        return w.insert(contacts, Json{{"first_name", "Pendant"}});
      });
      EXPECT_TRUE(r.ok()) << r.error().message;
    });
    writer.join();
    RELAIS_ASSIGN_OR_RETURN(auto after, tx.count(contacts, ListQuery{}));
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.list(contacts, ListQuery{}));
    return Json{{"before", before}, {"after", after}, {"listed", page.items.size()}};
  });
  EXPECT_EQ(seen["before"], 1);
  EXPECT_EQ(seen["after"], 1);
  EXPECT_EQ(seen["listed"], 1);
  const Json now = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto n, tx.count(contacts, ListQuery{}));
    return Json(n);
  });
  EXPECT_EQ(now, 2);
}

// Every searchable field of every schema in all_schemas() is found by an accent- and
// case-insensitive prefix of a word in it, and nothing else is.
TEST_P(StoreContractTest, SearchFindsEverySearchableFieldOfEverySchema) {
  int checked = 0;
  for (const EntitySchema* schema : domain::all_schemas()) {
    for (const auto& field : schema->fields) {
      if (!field.searchable) continue;
      SCOPED_TRACE(schema->plural + "." + field.name);
      // A fresh word per field, "Éloïsezq<n>Martin", found by its prefix "eloisezq<n>".
      const std::string tag = "zq" + std::to_string(++checked);
      Json values = required_values(*store_, *schema);
      if (schema->name == "user") values["email"] = tag + "@example.com";
      if (schema->name == "company" && field.name != "domain") values["domain"] = tag + ".example";
      const std::string word = "Éloïse" + tag + "Martin";
      if (field.type == FieldType::kTextList) {
        values[field.name] = Json::array({word});
      } else if (field.name == "email" || field.name == "domain") {
        values[field.name] = tag + "eloise.example";
      } else {
        values[field.name] = word;
      }
      auto stored = store_->write([&](Transaction& tx) { return tx.insert(*schema, values); });
      if (!stored.ok()) {
        ADD_FAILURE() << "insert: " << stored.error().message;
        continue;
      }
      ListQuery q;
      q.text_search =
          field.name == "email" || field.name == "domain" ? tag + "eloise" : "eloise" + tag;
      q.limit = 200;
      const Json found = read([&](Transaction& tx) -> Result<Json> {
        RELAIS_ASSIGN_OR_RETURN(auto page, tx.list(*schema, q));
        Json ids = Json::array();
        for (const auto& item : page.items) ids.push_back(item["id"]);
        return ids;
      });
      EXPECT_NE(std::find(found.begin(), found.end(), stored.value()["id"]), found.end())
          << "query " << q.text_search << " did not find " << values.dump();
    }
  }
  EXPECT_GT(checked, 5);
}

// The port's NULL order (store.hpp, SortKey): NULLs first ascending, last descending; ties
// broken by id in the same direction.
TEST_P(StoreContractTest, NullsSortFirstAscendingAndLastDescending) {
  const auto& contacts = domain::contact_schema();
  std::vector<std::int64_t> ids;
  for (const Json& city : {Json("Lyon"), Json(nullptr), Json("Brest"), Json(nullptr)}) {
    Json values{{"first_name", "Tri"}};
    if (!city.is_null()) values["city"] = city;
    ids.push_back(write([&](Transaction& tx) { return tx.insert(contacts, values); })["id"]
                      .get<std::int64_t>());
  }
  auto order = [&](bool descending) {
    ListQuery q;
    q.sort = {{"city", descending}};
    const Json page = read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(auto p, tx.list(contacts, q));
      Json out = Json::array();
      for (const auto& item : p.items) out.push_back(item["id"]);
      return out;
    });
    return page.get<std::vector<std::int64_t>>();
  };
  EXPECT_EQ(order(false), (std::vector<std::int64_t>{ids[1], ids[3], ids[2], ids[0]}));
  EXPECT_EQ(order(true), (std::vector<std::int64_t>{ids[0], ids[2], ids[3], ids[1]}));
}

}  // namespace relais::storage::testing
