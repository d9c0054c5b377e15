#include "domain/demo/demo_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "domain/records/values.hpp"
#include "domain/services.hpp"
#include "storage/testing/temp_database.hpp"

namespace relais::domain::demo {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t count(Store& store, const EntitySchema& schema) {
  auto n = store.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(std::int64_t c, tx.count(schema, ListQuery{}));
    return Json(c);
  });
  return n.ok() ? n->get<std::int64_t>() : -1;
}

// Every record of `schema`, following the cursor.
std::vector<Json> all(Store& store, const EntitySchema& schema) {
  std::vector<Json> out;
  ListQuery q;
  q.limit = 500;
  for (;;) {
    Result<Page> page = Error::internal();
    auto r = store.read([&](Transaction& tx) -> Result<Json> {
      page = tx.list(schema, q);
      return Json();
    });
    EXPECT_TRUE(r.ok() && page.ok());
    if (!r.ok() || !page.ok()) return out;
    for (auto& item : page->items) out.push_back(std::move(item));
    if (!page->next_cursor) return out;
    q.cursor = *page->next_cursor;
  }
}

std::vector<Json> timeline(Store& store, const std::string& entity, std::int64_t id) {
  auto r = store.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Page page, tx.timeline({entity, id, 500, ""}));
    return Json(page.items);
  });
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->get<std::vector<Json>>() : std::vector<Json>{};
}

std::map<std::int64_t, Json> by_id(const std::vector<Json>& records) {
  std::map<std::int64_t, Json> out;
  for (const auto& r : records) out[r["id"].get<std::int64_t>()] = r;
  return out;
}

DemoOptions small_options() {
  DemoOptions small;
  small.companies = 20;
  small.contacts = 60;
  small.deals = 30;
  small.activities = 50;
  small.tasks = 20;
  small.batch_size = 16;
  return small;
}

TEST(DemoLoader, LoadsOnceAndSignsIn) {
  storage::testing::TempDatabase db("relais-demo");
  Services services(db.store());
  auto first = load_demo(services, small_options());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->already_present);
  EXPECT_EQ(count(db.store(), contact_schema()), 60);
  EXPECT_EQ(count(db.store(), deal_schema()), 30);
  EXPECT_EQ(count(db.store(), company_schema()), 20);
  EXPECT_EQ(count(db.store(), task_schema()), 20);
  EXPECT_EQ(count(db.store(), user_schema()), 8);

  auto second = load_demo(services, small_options());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->already_present);
  EXPECT_EQ(count(db.store(), contact_schema()), 60);

  auto login = services.auth.login(kDemoAdminEmail, kDemoPassword, "127.0.0.1");
  EXPECT_TRUE(login.ok()) << login.error().message;
}

// The data spans 18 months of history, in a coherent order, and nothing lies in the future.
TEST(DemoLoader, HistorySpansEighteenMonthsInOrder) {
  storage::testing::TempDatabase db("relais-demo");
  Services services(db.store());
  DemoOptions options = small_options();
  options.companies = 40;
  options.contacts = 150;
  options.deals = 80;
  options.activities = 120;
  ASSERT_TRUE(load_demo(services, options).ok());
  const std::int64_t now_ms = now_epoch_ms();
  const std::string now = format_storage_timestamp(now_ms);
  const std::string year_ago = format_storage_timestamp(now_ms - 365 * kDayMs);
  const std::string limit_ago = format_storage_timestamp(now_ms - 560 * kDayMs);

  const auto companies = by_id(all(db.store(), company_schema()));
  const auto contacts = by_id(all(db.store(), contact_schema()));
  const auto deals = all(db.store(), deal_schema());
  const auto activities = all(db.store(), activity_schema());
  const auto tasks = all(db.store(), task_schema());

  auto check_stamps = [&](const Json& r) {
    const std::string created = r["created_at"], updated = r["updated_at"];
    EXPECT_TRUE(is_storage_timestamp(created)) << created;
    EXPECT_GE(created, limit_ago) << r.dump();
    EXPECT_LE(created, updated) << r.dump();
    EXPECT_LE(updated, now) << r.dump();
  };
  std::string oldest_contact = now, newest_contact;
  for (const auto& [id, c] : contacts) {
    check_stamps(c);
    oldest_contact = std::min(oldest_contact, c["created_at"].get<std::string>());
    newest_contact = std::max(newest_contact, c["created_at"].get<std::string>());
    EXPECT_GE(c["created_at"], companies.at(c["company_id"].get<std::int64_t>())["created_at"]);
  }
  EXPECT_LT(oldest_contact, year_ago);  // covers more than 12 months...
  EXPECT_GT(newest_contact, format_storage_timestamp(now_ms - 90 * kDayMs));  // ...up to now
  for (const auto& [id, c] : companies) check_stamps(c);

  int closed = 0, moved = 0;
  for (const auto& d : deals) {
    SCOPED_TRACE(d.dump());
    check_stamps(d);
    const auto contact = d["contact_ids"][0].get<std::int64_t>();
    EXPECT_GE(d["created_at"], contacts.at(contact)["created_at"]);
    std::vector<Json> changes;
    for (auto& item : timeline(db.store(), "deal", d["id"].get<std::int64_t>())) {
      if (item["kind"] == "stage_change") changes.push_back(item);
    }
    std::sort(changes.begin(), changes.end(),
              [](const Json& a, const Json& b) { return a["id"] < b["id"]; });  // as recorded
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.front()["at"], d["created_at"]);  // creation enters the first stage
    for (std::size_t i = 1; i < changes.size(); ++i) {
      EXPECT_LT(changes[i - 1]["at"], changes[i]["at"]);
    }
    EXPECT_EQ(changes.back()["at"], d["stage_changed_at"]);
    EXPECT_LE(changes.back()["at"].get<std::string>(), now);
    moved += changes.size() > 1;
    if (d["status"] != "open") {
      ++closed;
      EXPECT_EQ(d["closed_at"], changes.back()["at"]);
      EXPECT_LE(d["closed_at"].get<std::string>().substr(0, 10),
                d["expected_close_date"].get<std::string>());
    }
  }
  EXPECT_GT(closed, 10);
  EXPECT_GT(moved, 20);

  for (const auto& a : activities) {
    check_stamps(a);
    EXPECT_LE(a["occurred_at"], a["created_at"]);
    EXPECT_GE(a["occurred_at"], contacts.at(a["contact_id"].get<std::int64_t>())["created_at"]);
  }
  for (const auto& t : tasks) {
    check_stamps(t);
    if (!t["completed_at"].is_null()) {
      EXPECT_GT(t["completed_at"], t["created_at"]);
      EXPECT_LE(t["completed_at"].get<std::string>(), now);
    }
  }

  // The audit trail tells the same story: a record's creation is audited at its creation.
  const Json& some_contact = contacts.begin()->second;
  const auto items = timeline(db.store(), "contact", some_contact["id"].get<std::int64_t>());
  const auto created = std::find_if(items.begin(), items.end(), [](const Json& i) {
    return i["kind"] == "audit" && i["action"] == "create";
  });
  ASSERT_NE(created, items.end());
  EXPECT_EQ((*created)["at"], some_contact["created_at"]);
}

}  // namespace
}  // namespace relais::domain::demo
