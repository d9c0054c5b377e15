#include "storage/sqlite/sqlite_event_log.hpp"

#include <algorithm>
#include <limits>

#include "domain/events/time_buckets.hpp"
#include "storage/common/event_log_support.hpp"
#include "storage/common/keyset.hpp"

namespace relais::storage::sqlite {

std::optional<std::int64_t> SqliteEventLog::find_name(const std::string& name) {
  auto stmt = db_.prepare("SELECT id FROM event_names WHERE name = ?");
  stmt->bind(1, std::string_view(name));
  if (!stmt->step()) return std::nullopt;
  return stmt->column_int64(0);
}

std::int64_t SqliteEventLog::intern_name(const std::string& name) {
  if (auto id = find_name(name)) return *id;
  auto insert = db_.prepare("INSERT INTO event_names(name) VALUES (?)");
  insert->bind(1, std::string_view(name));
  insert->run();
  return db_.last_insert_rowid();
}

bool SqliteEventLog::contact_exists(std::int64_t id) {
  auto stmt = db_.prepare("SELECT 1 FROM contacts WHERE id = ?");
  stmt->bind(1, id);
  return stmt->step();
}

Result<std::vector<std::int64_t>> SqliteEventLog::append(
    const std::vector<domain::NewEvent>& batch) {
  RELAIS_TRY(validate_event_batch(batch));
  // Every check before the first row: a refused batch writes nothing, even outside a
  // savepoint (the foreign key would catch a missing contact too, but as a failed statement).
  for (const std::int64_t contact : distinct_contacts(batch)) {
    if (!contact_exists(contact)) return unknown_contact(batch, contact);
  }
  std::map<std::string, std::int64_t> name_ids;
  for (const auto& name : distinct_names(batch)) name_ids.emplace(name, intern_name(name));

  auto insert = db_.prepare(
      "INSERT INTO events(contact_id, visitor_id, name_id, occurred_at, properties) "
      "VALUES (?, ?, ?, ?, ?)");
  std::vector<std::int64_t> ids;
  ids.reserve(batch.size());
  for (const auto& e : batch) {
    insert->reset();
    if (e.contact_id) {
      insert->bind(1, *e.contact_id);
    } else {
      insert->bind_null(1);
    }
    if (e.visitor_id.empty()) {
      insert->bind_null(2);
    } else {
      insert->bind(2, std::string_view(e.visitor_id));
    }
    insert->bind(3, name_ids.at(e.name));
    insert->bind(4, e.occurred_at_ms);
    if (e.properties.empty()) {
      insert->bind_null(5);
    } else {
      insert->bind(5, std::string_view(e.properties.dump()));
    }
    insert->run();
    ids.push_back(db_.last_insert_rowid());
  }
  return ids;
}

Result<domain::EventPage> SqliteEventLog::contact_events(const domain::ContactEventQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(EventPosition after, decode_event_cursor(query.cursor));
  const int limit = effective_limit(query.limit);
  Json name_ids = Json::array();
  for (const auto& name : sorted_names(query.names)) {
    if (auto id = find_name(name)) name_ids.push_back(*id);
  }
  domain::EventPage page;
  if (!query.names.empty() && name_ids.empty()) return page;  // no such event ever
  // Walks events_by_contact backwards from the cursor: the one upper bound on occurred_at
  // (newest_bound) is what SQLite seeks to (a row value alone is a filter: a deep page would
  // step over every newer event), the row value then orders ties by the rowid, the index's
  // hidden last column. One row more than the page says whether another page follows.
  auto stmt = db_.prepare(
      "SELECT e.id, e.contact_id, e.visitor_id, n.name, e.occurred_at, e.properties "
      "FROM events e JOIN event_names n ON n.id = e.name_id "
      "WHERE e.contact_id = ?1 AND e.occurred_at >= ?2 AND e.occurred_at <= ?3 "
      "AND (e.occurred_at, e.id) < (?4, ?5) "
      "AND (?6 = 0 OR e.name_id IN (SELECT value FROM json_each(?7))) "
      "ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?8");
  stmt->bind(1, query.contact_id);
  stmt->bind(2, query.from_ms.value_or(std::numeric_limits<std::int64_t>::min()));
  stmt->bind(3, newest_bound(query, after));
  stmt->bind(4, after.occurred_at_ms);
  stmt->bind(5, after.id);
  stmt->bind(6, static_cast<std::int64_t>(name_ids.size()));
  stmt->bind(7, std::string_view(name_ids.dump()));
  stmt->bind(8, static_cast<std::int64_t>(limit) + 1);
  while (stmt->step()) {
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      const auto& last = page.items.back();
      page.next_cursor = encode_event_cursor({last.occurred_at_ms, last.id});
      break;
    }
    domain::Event e;
    e.id = stmt->column_int64(0);
    if (!stmt->is_null(1)) e.contact_id = stmt->column_int64(1);
    if (!stmt->is_null(2)) e.visitor_id = stmt->column_text(2);
    e.name = stmt->column_text(3);
    e.occurred_at_ms = stmt->column_int64(4);
    if (!stmt->is_null(5)) e.properties = Json::parse(stmt->column_text(5));
    page.items.push_back(std::move(e));
  }
  return page;
}

Result<std::vector<domain::BucketCount>> SqliteEventLog::bucket_counts(
    const domain::BucketQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(
      auto buckets, domain::bucket_ranges(query.from_ms, query.to_ms, query.size, query.time_zone));
  std::vector<std::string> names = sorted_names(query.names);
  if (names.empty()) {
    auto all = db_.prepare("SELECT name FROM event_names ORDER BY name");
    while (all->step()) names.push_back(all->column_text(0));
  }
  std::vector<domain::BucketCount> out;
  out.reserve(names.size() * buckets.size());
  // One count per bucket, each a range of the covering index events_by_name: every event is
  // stepped over once, and nothing is sorted or grouped.
  auto count = db_.prepare(
      "SELECT count(*) FROM events WHERE name_id = ? AND occurred_at >= ? AND occurred_at < ?");
  for (const auto& name : names) {
    const std::optional<std::int64_t> id = find_name(name);
    for (const auto& b : buckets) {
      std::int64_t n = 0;
      if (id) {
        count->reset();
        count->bind(1, *id);
        count->bind(2, b.from_ms);
        count->bind(3, b.to_ms);
        if (count->step()) n = count->column_int64(0);
      }
      out.push_back({name, b.start_ms, n});
    }
  }
  return out;
}

Result<std::map<std::string, std::int64_t>> SqliteEventLog::contact_counts(
    std::int64_t contact_id, std::int64_t since_ms, const std::vector<std::string>& names) {
  std::map<std::string, std::int64_t> counts;
  auto stmt = db_.prepare(
      "SELECT n.name, c.n FROM (SELECT name_id, count(*) AS n FROM events "
      "WHERE contact_id = ? AND occurred_at >= ? GROUP BY name_id) AS c "
      "JOIN event_names n ON n.id = c.name_id");
  stmt->bind(1, contact_id);
  stmt->bind(2, since_ms);
  while (stmt->step()) counts.emplace(stmt->column_text(0), stmt->column_int64(1));
  if (names.empty()) return counts;
  std::map<std::string, std::int64_t> asked;
  for (const auto& name : names) {
    auto it = counts.find(name);
    asked[name] = it == counts.end() ? 0 : it->second;
  }
  return asked;
}

Result<std::int64_t> SqliteEventLog::identify(const std::string& visitor_id,
                                              std::int64_t contact_id) {
  if (visitor_id.empty()) return Error::field("visitor_id", "must not be empty");
  if (!contact_exists(contact_id)) {
    return Error::field("contact_id", "no contact with id " + std::to_string(contact_id));
  }
  auto stmt =
      db_.prepare("UPDATE events SET contact_id = ? WHERE visitor_id = ? AND contact_id IS NULL");
  stmt->bind(1, contact_id);
  stmt->bind(2, std::string_view(visitor_id));
  stmt->run();
  return static_cast<std::int64_t>(db_.changes());
}

std::int64_t SqliteEventLog::prune_before(std::int64_t before_ms, int limit) {
  // Oldest events per name through events_by_name (CROSS JOIN keeps event_names, a few rows,
  // the outer loop): finding nothing left to delete costs one index probe per name, never a
  // scan of the table.
  auto stmt = db_.prepare(
      "DELETE FROM events WHERE id IN (SELECT e.id FROM event_names n CROSS JOIN events e "
      "ON e.name_id = n.id AND e.occurred_at < ? LIMIT ?)");
  stmt->bind(1, before_ms);
  stmt->bind(2, static_cast<std::int64_t>(std::max(limit, 0)));
  stmt->run();
  return db_.changes();
}

void SqliteEventLog::move_contact(std::int64_t from, std::int64_t into) {
  auto stmt = db_.prepare("UPDATE events SET contact_id = ? WHERE contact_id = ?");
  stmt->bind(1, into);
  stmt->bind(2, from);
  stmt->run();
}

}  // namespace relais::storage::sqlite
