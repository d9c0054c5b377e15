// Storage contract suite, part 4: the event log (domain/events/event_log.hpp), run against
// every engine (Sqlite/... and Postgres/... like the rest of StoreContractTest).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "domain/events/event_log.hpp"
#include "domain/schema/entity_schema.hpp"
#include "storage/store_contract.hpp"

namespace relais::storage::testing {
namespace {

using domain::BucketCount;
using domain::BucketQuery;
using domain::BucketSize;
using domain::ContactEventQuery;
using domain::Event;
using domain::NewEvent;
using domain::Transaction;

// "2026-03-29T22:30:00" (UTC) as epoch ms.
std::int64_t ms(const char* utc) {
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  int h = 0;
  int mi = 0;
  int s = 0;
  EXPECT_EQ(std::sscanf(utc, "%d-%u-%uT%d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6) << utc;
  using namespace std::chrono;
  const auto day = sys_days{year{y} / month{mo} / std::chrono::day{d}};
  return duration_cast<milliseconds>(day.time_since_epoch() + hours{h} + minutes{mi} + seconds{s})
      .count();
}

NewEvent of_contact(std::int64_t contact, std::string name, std::int64_t at,
                    Json properties = Json::object()) {
  NewEvent e;
  e.contact_id = contact;
  e.name = std::move(name);
  e.occurred_at_ms = at;
  e.properties = std::move(properties);
  return e;
}

NewEvent of_visitor(std::string visitor, std::string name, std::int64_t at) {
  NewEvent e;
  e.visitor_id = std::move(visitor);
  e.name = std::move(name);
  e.occurred_at_ms = at;
  return e;
}

std::int64_t new_contact(Transaction& tx, const char* name) {
  auto r = tx.insert(domain::contact_schema(), Json{{"first_name", name}});
  EXPECT_TRUE(r.ok());
  return r.ok() ? r.value()["id"].get<std::int64_t>() : 0;
}

// Every event of the contact, newest first, read page by page.
std::vector<Event> all_pages(Transaction& tx, ContactEventQuery query, int* pages = nullptr) {
  std::vector<Event> out;
  for (int n = 0; n < 100; ++n) {
    auto page = tx.events().contact_events(query);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) break;
    out.insert(out.end(), page.value().items.begin(), page.value().items.end());
    if (pages != nullptr) *pages = n + 1;
    if (!page.value().next_cursor) break;
    query.cursor = *page.value().next_cursor;
  }
  return out;
}

std::vector<std::int64_t> ids_of(const std::vector<Event>& events) {
  std::vector<std::int64_t> ids;
  ids.reserve(events.size());
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

}  // namespace

TEST_P(StoreContractTest, EventsAppendedInAUnitThatFailsLeaveNothing) {
  std::int64_t contact = 0;
  write([&](Transaction& tx) -> Result<Json> {
    contact = new_contact(tx, "Ada");
    return Json();
  });
  auto failed = store_->write([&](Transaction& tx) -> Result<Json> {
    std::vector<NewEvent> batch;
    batch.reserve(101);
    for (int i = 0; i < 100; ++i) batch.push_back(of_contact(contact, "page_view", 1'000 + i));
    batch.push_back(of_visitor("v-1", "brand_new_name", 5'000));
    RELAIS_ASSIGN_OR_RETURN(auto ids, tx.events().append(batch));
    EXPECT_EQ(ids.size(), 101U);
    return Error::validation("the request failed after the append");
  });
  EXPECT_FALSE(failed.ok());
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.events().contact_events({.contact_id = contact}));
    EXPECT_TRUE(page.items.empty());
    // Not even the names it interned: every name known to the log is none.
    RELAIS_ASSIGN_OR_RETURN(auto counts,
                            tx.events().bucket_counts({.from_ms = 0, .to_ms = 10'000}));
    EXPECT_TRUE(counts.empty());
    // And no trail: an event is no record change.
    EXPECT_TRUE(tx.jobs().outbox_after({}, 10).empty());
    return Json();
  });
}

TEST_P(StoreContractTest, EventsAppendWritesNoAuditRowNorOutboxEventUnlessAsked) {
  std::int64_t contact = 0;
  domain::OutboxPosition before;
  write([&](Transaction& tx) -> Result<Json> {
    contact = new_contact(tx, "Ada");
    return Json();
  });
  auto has_event_of = [](std::int64_t record_id, domain::OutboxPosition after) {
    return [record_id, after](Transaction& tx) {
      const auto events = tx.jobs().outbox_after(after, 100);
      return std::any_of(events.begin(), events.end(),
                         [&](const auto& e) { return e.record_id == record_id; });
    };
  };
  read_once_settled(has_event_of(contact, {}), [&](Transaction& tx) -> Result<Json> {
    before = tx.jobs().outbox_head();
    return Json();
  });
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> demo_ids;
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(
        ids, tx.events().append({of_contact(contact, "page_view", 10, {{"url", "/a"}}),
                                 of_contact(contact, "email_opened", 20)}));
    // The caller who wants consumers to see one records it.
    const NewEvent demo = of_contact(contact, "demo_requested", 30);
    RELAIS_ASSIGN_OR_RETURN(demo_ids, tx.events().append({demo}));
    tx.record_event(domain::event_appended(demo, demo_ids.at(0), 0));
    return Json();
  });
  read_once_settled(has_event_of(contact, before), [&](Transaction& tx) -> Result<Json> {
    auto outbox = tx.jobs().outbox_after(before, 10);
    EXPECT_EQ(outbox.size(), 1U);  // the one asked for, not one per event
    if (outbox.size() == 1) {
      EXPECT_EQ(outbox[0].type, "event.demo_requested");
      EXPECT_EQ(outbox[0].record_id, contact);
      EXPECT_EQ(outbox[0].payload["event_id"], demo_ids.at(0));
      EXPECT_EQ(outbox[0].payload["occurred_at"], "1970-01-01T00:00:00.030Z");
    }
    EXPECT_LT(ids.at(0), ids.at(1));
    EXPECT_LT(ids.at(1), demo_ids.at(0));
    // No audit entry either: the contact's timeline (audit rows included) stays empty.
    RELAIS_ASSIGN_OR_RETURN(auto timeline,
                            tx.timeline({.entity = "contact", .record_id = contact}));
    EXPECT_TRUE(timeline.items.empty()) << Json(timeline.items).dump();
    return Json();
  });
}

TEST_P(StoreContractTest, EventsAppendRefusesABadBatchWholeAndTheUnitGoesOn) {
  write([&](Transaction& tx) -> Result<Json> {
    const std::int64_t contact = new_contact(tx, "Ada");
    auto bad_name = tx.events().append(
        {of_contact(contact, "page_view", 10), of_contact(contact, "Page View", 11)});
    EXPECT_EQ(bad_name.error().code, ErrorCode::kValidationFailed);
    EXPECT_TRUE(bad_name.error().fields.contains("events[1].name"));
    auto unknown = tx.events().append(
        {of_contact(contact, "page_view", 10), of_contact(contact + 1000, "page_view", 11)});
    EXPECT_EQ(unknown.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(unknown.error().fields.count("events[1].contact_id"), 1U);
    if (!unknown.ok() && unknown.error().fields.count("events[1].contact_id") == 1) {
      EXPECT_EQ(unknown.error().fields.at("events[1].contact_id"),
                "no contact with id " + std::to_string(contact + 1000));
    }
    NewEvent nobody;
    nobody.name = "page_view";
    nobody.occurred_at_ms = 10;
    EXPECT_TRUE(tx.events().append({nobody}).error().fields.contains("events[0].contact_id"));
    auto nul = tx.events().append({of_contact(contact, "x", 10, {{"k", std::string("a\0b", 3)}})});
    EXPECT_TRUE(nul.error().fields.contains("events[0].properties"));
    EXPECT_TRUE(tx.events()
                    .append({of_contact(contact, "x", 0)})
                    .error()
                    .fields.contains("events[0].occurred_at"));
    // Nothing was written, and the transaction still takes a good batch.
    RELAIS_TRY(tx.events().append({of_contact(contact, "page_view", 12)}));
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.events().contact_events({.contact_id = contact}));
    EXPECT_EQ(page.items.size(), 1U);
    return Json();
  });
}

TEST_P(StoreContractTest, EventsOfAContactComeNewestFirstThroughAStableCursor) {
  std::int64_t ada = 0;
  std::vector<std::int64_t> ids;
  write([&](Transaction& tx) -> Result<Json> {
    ada = new_contact(tx, "Ada");
    const std::int64_t bob = new_contact(tx, "Bob");
    // Ties on occurred_at (100 three times) are ordered by id, newest first too.
    RELAIS_ASSIGN_OR_RETURN(
        ids, tx.events().append(
                 {of_contact(ada, "page_view", 100, {{"url", "/a"}}),
                  of_contact(bob, "page_view", 150), of_contact(ada, "email_opened", 300),
                  of_contact(ada, "page_view", 100), of_contact(ada, "page_view", 200),
                  of_contact(ada, "page_view", 100), of_contact(ada, "form_submitted", 50)}));
    return Json();
  });
  read([&](Transaction& tx) -> Result<Json> {
    int pages = 0;
    auto all = all_pages(tx, {.contact_id = ada, .limit = 2}, &pages);
    EXPECT_EQ(ids_of(all),
              (std::vector<std::int64_t>{ids[2], ids[4], ids[5], ids[3], ids[0], ids[6]}));
    EXPECT_EQ(pages, 3);
    if (all.size() == 6) {
      EXPECT_EQ(all[4].name, "page_view");
      EXPECT_EQ(all[4].properties, (Json{{"url", "/a"}}));
      EXPECT_EQ(all[4].occurred_at_ms, 100);
      EXPECT_EQ(all[4].contact_id, ada);
      EXPECT_TRUE(all[4].visitor_id.empty());
      EXPECT_EQ(all[0].properties, Json::object());
    }
    auto views = all_pages(tx, {.contact_id = ada, .names = {"page_view", "never_seen"}});
    EXPECT_EQ(ids_of(views), (std::vector<std::int64_t>{ids[4], ids[5], ids[3], ids[0]}));
    EXPECT_TRUE(all_pages(tx, {.contact_id = ada, .names = {"never_seen"}}).empty());
    auto range = all_pages(tx, {.contact_id = ada, .from_ms = 100, .to_ms = 300});
    EXPECT_EQ(ids_of(range), (std::vector<std::int64_t>{ids[4], ids[5], ids[3], ids[0]}));
    auto bad = tx.events().contact_events({.contact_id = ada, .cursor = "not-a-cursor"});
    EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
    return Json();
  });
  // Events appended between two pages, newer or as old, never shift the next page.
  std::string cursor;
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto first,
                            tx.events().contact_events({.contact_id = ada, .limit = 3}));
    cursor = first.next_cursor.value_or("");
    return Json();
  });
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(
        tx.events().append({of_contact(ada, "page_view", 400), of_contact(ada, "page_view", 100)}));
    return Json();
  });
  read([&](Transaction& tx) -> Result<Json> {
    auto rest = all_pages(tx, {.contact_id = ada, .limit = 3, .cursor = cursor});
    EXPECT_EQ(ids_of(rest), (std::vector<std::int64_t>{ids[3], ids[0], ids[6]}));
    return Json();
  });
}

TEST_P(StoreContractTest, EventsCountPerLocalDayAcrossBothParisDstChanges) {
  write([&](Transaction& tx) -> Result<Json> {
    const std::int64_t c = new_contact(tx, "Ada");
    // 29 March 2026: Paris goes from +01:00 to +02:00 at 01:00Z, the day lasts 23 hours,
    // 2026-03-28T23:00Z to 2026-03-29T22:00Z.
    RELAIS_TRY(tx.events().append({
        of_contact(c, "page_view", ms("2026-03-28T22:59:59")),  // 28 March, 23:59:59 in Paris
        of_contact(c, "page_view", ms("2026-03-28T23:00:00")),  // 29 March, 00:00
        of_contact(c, "page_view", ms("2026-03-29T21:59:59")),  // 29 March, 23:59:59
        of_contact(c, "page_view", ms("2026-03-29T22:00:00")),  // 30 March, 00:00
        of_contact(c, "email_opened", ms("2026-03-29T12:00:00")),
        // 25 October 2026: back to +01:00 at 01:00Z, a day of 25 hours,
        // 2026-10-24T22:00Z to 2026-10-25T23:00Z.
        of_contact(c, "page_view", ms("2026-10-24T21:59:59")),  // 24 October
        of_contact(c, "page_view", ms("2026-10-24T22:00:00")),  // 25 October, 00:00
        of_contact(c, "page_view", ms("2026-10-25T22:30:00")),  // 25 October, 23:30
        of_contact(c, "page_view", ms("2026-10-25T23:00:00")),  // 26 October, 00:00
    }));
    return Json();
  });
  read([&](Transaction& tx) -> Result<Json> {
    BucketQuery march{.names = {"page_view", "email_opened", "never_seen"},
                      .from_ms = ms("2026-03-27T23:00:00"),
                      .to_ms = ms("2026-03-30T22:00:00"),
                      .size = BucketSize::kDay,
                      .time_zone = "Europe/Paris"};
    RELAIS_ASSIGN_OR_RETURN(auto days, tx.events().bucket_counts(march));
    const std::vector<BucketCount> expected{
        {"email_opened", ms("2026-03-27T23:00:00"), 0},
        {"email_opened", ms("2026-03-28T23:00:00"), 1},
        {"email_opened", ms("2026-03-29T22:00:00"), 0},
        {"never_seen", ms("2026-03-27T23:00:00"), 0},
        {"never_seen", ms("2026-03-28T23:00:00"), 0},
        {"never_seen", ms("2026-03-29T22:00:00"), 0},
        {"page_view", ms("2026-03-27T23:00:00"), 1},
        {"page_view", ms("2026-03-28T23:00:00"), 2},
        {"page_view", ms("2026-03-29T22:00:00"), 1},
    };
    EXPECT_EQ(days.size(), expected.size());
    for (std::size_t i = 0; i < std::min(days.size(), expected.size()); ++i) {
      EXPECT_EQ(days[i].name, expected[i].name) << i;
      EXPECT_EQ(days[i].bucket_start_ms, expected[i].bucket_start_ms) << i;
      EXPECT_EQ(days[i].count, expected[i].count) << i;
    }
    // In UTC the same events fall on other days.
    march.time_zone = "UTC";
    march.names = {"page_view"};
    march.from_ms = ms("2026-03-28T00:00:00");
    RELAIS_ASSIGN_OR_RETURN(auto utc_days, tx.events().bucket_counts(march));
    EXPECT_EQ(utc_days.size(), 3U);
    if (utc_days.size() != 3U) return Json();
    EXPECT_EQ(utc_days[0].count, 2);  // 28 March UTC: 22:59:59 and 23:00:00
    EXPECT_EQ(utc_days[1].count, 2);

    RELAIS_ASSIGN_OR_RETURN(auto october,
                            tx.events().bucket_counts({.names = {"page_view"},
                                                       .from_ms = ms("2026-10-23T22:00:00"),
                                                       .to_ms = ms("2026-10-26T23:00:00"),
                                                       .size = BucketSize::kDay,
                                                       .time_zone = "Europe/Paris"}));
    EXPECT_EQ(october.size(), 3U);
    if (october.size() != 3U) return Json();
    EXPECT_EQ(october[0].bucket_start_ms, ms("2026-10-23T22:00:00"));
    EXPECT_EQ(october[0].count, 1);
    EXPECT_EQ(october[1].bucket_start_ms, ms("2026-10-24T22:00:00"));
    EXPECT_EQ(october[1].count, 2);  // the 25-hour day
    EXPECT_EQ(october[2].bucket_start_ms, ms("2026-10-25T23:00:00"));
    EXPECT_EQ(october[2].count, 1);

    // Months and ISO weeks of the wall clock; a query range cuts its first bucket.
    RELAIS_ASSIGN_OR_RETURN(auto months,
                            tx.events().bucket_counts({.names = {"page_view"},
                                                       .from_ms = ms("2026-03-15T00:00:00"),
                                                       .to_ms = ms("2026-11-01T00:00:00"),
                                                       .size = BucketSize::kMonth,
                                                       .time_zone = "Europe/Paris"}));
    EXPECT_EQ(months.size(), 9U);
    if (months.size() != 9U) return Json();  // March .. November (1 Nov 00:00Z is 01:00 in Paris)
    EXPECT_EQ(months[0].bucket_start_ms, ms("2026-02-28T23:00:00"));  // 1 March, local
    EXPECT_EQ(months[0].count, 4);  // the four March views, all after the 15th
    EXPECT_EQ(months[1].bucket_start_ms, ms("2026-03-31T22:00:00"));  // 1 April, summer time
    EXPECT_EQ(months[7].count, 4);  // October, the 24th 23:59:59 to the 26th 00:00 local
    EXPECT_EQ(months[8].bucket_start_ms, ms("2026-10-31T23:00:00"));  // 1 November, winter
    EXPECT_EQ(months[8].count, 0);
    RELAIS_ASSIGN_OR_RETURN(auto weeks,
                            tx.events().bucket_counts({.names = {"page_view"},
                                                       .from_ms = ms("2026-03-23T00:00:00"),
                                                       .to_ms = ms("2026-04-06T00:00:00"),
                                                       .size = BucketSize::kWeek,
                                                       .time_zone = "Europe/Paris"}));
    EXPECT_EQ(weeks.size(), 3U);
    if (weeks.size() != 3U) return Json();
    EXPECT_EQ(weeks[0].bucket_start_ms, ms("2026-03-22T23:00:00"));  // Monday 23 March
    EXPECT_EQ(weeks[0].count, 3);
    EXPECT_EQ(weeks[1].bucket_start_ms, ms("2026-03-29T22:00:00"));  // Monday 30 March
    EXPECT_EQ(weeks[1].count, 1);

    auto zone = tx.events().bucket_counts({.from_ms = 0, .to_ms = 1, .time_zone = "Mars/Olympus"});
    EXPECT_EQ(zone.error().code, ErrorCode::kValidationFailed);
    auto empty = tx.events().bucket_counts({.from_ms = 5, .to_ms = 5});
    EXPECT_EQ(empty.error().code, ErrorCode::kValidationFailed);
    auto too_many = tx.events().bucket_counts(
        {.from_ms = 0, .to_ms = ms("2026-01-01T00:00:00"), .size = BucketSize::kHour});
    EXPECT_EQ(too_many.error().code, ErrorCode::kValidationFailed);
    return Json();
  });
}

TEST_P(StoreContractTest, EventsCountPerContactAndNameSinceATime) {
  write([&](Transaction& tx) -> Result<Json> {
    const std::int64_t ada = new_contact(tx, "Ada");
    const std::int64_t bob = new_contact(tx, "Bob");
    RELAIS_TRY(tx.events().append(
        {of_contact(ada, "page_view", 100), of_contact(ada, "page_view", 200),
         of_contact(ada, "page_view", 300), of_contact(ada, "email_clicked", 250),
         of_contact(bob, "page_view", 300)}));
    RELAIS_ASSIGN_OR_RETURN(auto all, tx.events().contact_counts(ada, 200, {}));
    EXPECT_EQ(all, (std::map<std::string, std::int64_t>{{"email_clicked", 1}, {"page_view", 2}}));
    RELAIS_ASSIGN_OR_RETURN(auto asked,
                            tx.events().contact_counts(ada, 0, {"page_view", "demo_requested"}));
    EXPECT_EQ(asked,
              (std::map<std::string, std::int64_t>{{"demo_requested", 0}, {"page_view", 3}}));
    return Json();
  });
}

TEST_P(StoreContractTest, EventsRetentionDeletesOldEventsInBoundedBatches) {
  std::int64_t contact = 0;
  write([&](Transaction& tx) -> Result<Json> {
    contact = new_contact(tx, "Ada");
    std::vector<NewEvent> batch;
    batch.reserve(30);
    for (int i = 0; i < 25; ++i) {
      batch.push_back(of_contact(contact, i % 2 == 0 ? "page_view" : "email_opened", 1'000 + i));
    }
    for (int i = 0; i < 5; ++i) batch.push_back(of_visitor("v", "page_view", 5'000 + i));
    RELAIS_TRY(tx.events().append(batch));
    return Json();
  });
  std::vector<std::int64_t> deleted;
  for (int round = 0; round < 5; ++round) {
    write([&](Transaction& tx) -> Result<Json> {
      deleted.push_back(tx.events().prune_before(5'000, 10));
      return Json();
    });
  }
  EXPECT_EQ(deleted, (std::vector<std::int64_t>{10, 10, 5, 0, 0}));
  read([&](Transaction& tx) -> Result<Json> {
    EXPECT_TRUE(all_pages(tx, {.contact_id = contact}).empty());
    RELAIS_ASSIGN_OR_RETURN(
        auto left,
        tx.events().bucket_counts({.names = {"page_view"}, .from_ms = 0, .to_ms = 86'400'000}));
    EXPECT_EQ(left.at(0).count, 5);  // the visitor's, at 5000 and after
    return Json();
  });
}

TEST_P(StoreContractTest, EventsOfAnAnonymousVisitorJoinTheContactOnIdentify) {
  write([&](Transaction& tx) -> Result<Json> {
    const std::int64_t ada = new_contact(tx, "Ada");
    const std::int64_t bob = new_contact(tx, "Bob");
    NewEvent known = of_visitor("visitor-1", "page_view", 40);
    known.contact_id = bob;  // this visitor's event already belongs to someone
    RELAIS_ASSIGN_OR_RETURN(auto ids,
                            tx.events().append({of_visitor("visitor-1", "page_view", 10),
                                                of_visitor("visitor-1", "page_view", 20),
                                                of_visitor("visitor-2", "page_view", 30), known,
                                                of_contact(ada, "form_submitted", 50)}));
    RELAIS_ASSIGN_OR_RETURN(auto moved, tx.events().identify("visitor-1", ada));
    EXPECT_EQ(moved, 2);
    auto events = all_pages(tx, {.contact_id = ada});
    EXPECT_EQ(ids_of(events), (std::vector<std::int64_t>{ids[4], ids[1], ids[0]}));
    if (events.size() == 3) {
      EXPECT_EQ(events[1].visitor_id, "visitor-1");
    }
    EXPECT_EQ(ids_of(all_pages(tx, {.contact_id = bob})), (std::vector<std::int64_t>{ids[3]}));
    RELAIS_ASSIGN_OR_RETURN(auto again, tx.events().identify("visitor-1", ada));
    EXPECT_EQ(again, 0);
    EXPECT_EQ(tx.events().identify("visitor-2", ada + 1000).error().code,
              ErrorCode::kValidationFailed);
    return Json();
  });
}

TEST_P(StoreContractTest, EventsMoveWithAMergedContactAndGoWithADeletedOne) {
  write([&](Transaction& tx) -> Result<Json> {
    const std::int64_t into = new_contact(tx, "Ada");
    const std::int64_t from = new_contact(tx, "Ada bis");
    const std::int64_t gone = new_contact(tx, "Bob");
    RELAIS_ASSIGN_OR_RETURN(
        auto ids, tx.events().append(
                      {of_contact(into, "page_view", 10), of_contact(from, "page_view", 20),
                       of_contact(from, "email_opened", 30), of_contact(gone, "page_view", 40)}));
    RELAIS_TRY(tx.repoint_contact(from, into));
    RELAIS_TRY(tx.remove(domain::contact_schema(), from));
    EXPECT_EQ(ids_of(all_pages(tx, {.contact_id = into})),
              (std::vector<std::int64_t>{ids[2], ids[1], ids[0]}));
    RELAIS_ASSIGN_OR_RETURN(auto counts, tx.events().contact_counts(into, 0, {}));
    EXPECT_EQ(counts, (std::map<std::string, std::int64_t>{{"email_opened", 1}, {"page_view", 2}}));
    RELAIS_TRY(tx.remove(domain::contact_schema(), gone));
    EXPECT_TRUE(all_pages(tx, {.contact_id = gone}).empty());
    RELAIS_ASSIGN_OR_RETURN(auto left, tx.events().bucket_counts(
                                           {.names = {"page_view"}, .from_ms = 0, .to_ms = 1'000}));
    EXPECT_EQ(left.at(0).count, 2);
    return Json();
  });
}

}  // namespace relais::storage::testing
