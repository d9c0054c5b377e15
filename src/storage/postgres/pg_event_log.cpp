#include "storage/postgres/pg_event_log.hpp"

#include <algorithm>
#include <limits>

#include "domain/events/time_buckets.hpp"
#include "storage/common/event_log_support.hpp"
#include "storage/common/keyset.hpp"

namespace relais::storage::postgres {
namespace {

Json json_array_of(const std::vector<std::string>& values) {
  Json array = Json::array();
  for (const auto& v : values) array.push_back(v);
  return array;
}

}  // namespace

std::map<std::string, std::int64_t> PgEventLog::find_names(const std::vector<std::string>& names) {
  std::map<std::string, std::int64_t> ids;
  if (names.empty()) return ids;
  auto r = db_.query(
      "SELECT id, name FROM event_names WHERE name IN (SELECT "
      "jsonb_array_elements_text($1::jsonb))",
      params(json_array_of(names).dump()));
  for (int row = 0; row < r.rows(); ++row)
    ids.emplace(std::string(r.text(row, 1)), r.int64(row, 0));
  return ids;
}

Result<std::vector<std::int64_t>> PgEventLog::append(const std::vector<domain::NewEvent>& batch) {
  RELAIS_TRY(validate_event_batch(batch));
  if (batch.empty()) return std::vector<std::int64_t>{};
  // Every check before the first write: a refused batch leaves the transaction usable (a
  // foreign key violation would abort it).
  const std::vector<std::int64_t> contacts = distinct_contacts(batch);
  if (!contacts.empty()) {
    Json wanted = Json::array();
    for (const auto id : contacts) wanted.push_back(id);
    auto found = db_.query(
        "SELECT id FROM contacts WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)",
        params(wanted.dump()));
    std::vector<std::int64_t> present;
    present.reserve(static_cast<std::size_t>(found.rows()));
    for (int row = 0; row < found.rows(); ++row) present.push_back(found.int64(row, 0));
    std::sort(present.begin(), present.end());
    for (const auto id : contacts) {
      if (!std::binary_search(present.begin(), present.end(), id))
        return unknown_contact(batch, id);
    }
  }
  const std::vector<std::string> names = distinct_names(batch);
  std::map<std::string, std::int64_t> name_ids = find_names(names);
  for (const auto& name : names) {
    if (name_ids.contains(name)) continue;
    // A name another unit inserts concurrently: DO NOTHING returns no row, the SELECT finds
    // it (or, under SERIALIZABLE, the clash is a serialization failure and the unit reruns).
    auto inserted = db_.query(
        "INSERT INTO event_names(name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
        params(name));
    if (inserted.rows() == 1) {
      name_ids.emplace(name, inserted.int64(0, 0));
    } else {
      auto again = find_names({name});
      if (!again.contains(name)) return Error::internal("event name insert ignored without a row");
      name_ids.emplace(name, again.at(name));
    }
  }
  Json rows = Json::array();
  for (const auto& e : batch) {
    Json row{{"name_id", name_ids.at(e.name)}, {"occurred_at", e.occurred_at_ms}};
    if (e.contact_id) row["contact_id"] = *e.contact_id;
    if (!e.visitor_id.empty()) row["visitor_id"] = e.visitor_id;
    if (!e.properties.empty()) row["properties"] = e.properties;  // absent: NULL
    rows.push_back(std::move(row));
  }
  auto r = db_.query(
      "INSERT INTO events(contact_id, visitor_id, name_id, occurred_at, properties) "
      "SELECT contact_id, visitor_id, name_id, occurred_at, properties "
      "FROM jsonb_to_recordset($1::jsonb) AS x(contact_id bigint, visitor_id text, "
      "name_id bigint, occurred_at bigint, properties jsonb) RETURNING id",
      params(rows.dump()));
  // One statement draws its identity values in the order it inserts rows, which is the
  // recordset's order; RETURNING itself promises no order, so sort.
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) ids.push_back(r.int64(row, 0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<domain::EventPage> PgEventLog::contact_events(const domain::ContactEventQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(EventPosition after, decode_event_cursor(query.cursor));
  const int limit = effective_limit(query.limit);
  Json name_ids = Json::array();
  for (const auto& [name, id] : find_names(sorted_names(query.names))) name_ids.push_back(id);
  domain::EventPage page;
  if (!query.names.empty() && name_ids.empty()) return page;  // no such event ever
  // Walks events_by_contact (contact_id, occurred_at, id) backwards from the cursor.
  auto r = db_.query(
      "SELECT e.id, e.contact_id, e.visitor_id, n.name, e.occurred_at, e.properties "
      "FROM events e JOIN event_names n ON n.id = e.name_id "
      "WHERE e.contact_id = $1 AND e.occurred_at >= $2 AND e.occurred_at <= $3 "
      "AND (e.occurred_at, e.id) < ($4::bigint, $5::bigint) "
      "AND ($6::int = 0 OR e.name_id IN (SELECT jsonb_array_elements_text($7::jsonb)::bigint)) "
      "ORDER BY e.occurred_at DESC, e.id DESC LIMIT $8",
      params(query.contact_id, query.from_ms.value_or(std::numeric_limits<std::int64_t>::min()),
             newest_bound(query, after), after.occurred_at_ms, after.id,
             static_cast<std::int64_t>(name_ids.size()), name_ids.dump(),
             static_cast<std::int64_t>(limit) + 1));
  for (int row = 0; row < r.rows(); ++row) {
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      const auto& last = page.items.back();
      page.next_cursor = encode_event_cursor({last.occurred_at_ms, last.id});
      break;
    }
    domain::Event e;
    e.id = r.int64(row, 0);
    if (!r.is_null(row, 1)) e.contact_id = r.int64(row, 1);
    e.visitor_id = std::string(r.text(row, 2));
    e.name = std::string(r.text(row, 3));
    e.occurred_at_ms = r.int64(row, 4);
    if (!r.is_null(row, 5)) e.properties = Json::parse(r.text(row, 5));
    page.items.push_back(std::move(e));
  }
  return page;
}

Result<std::vector<domain::BucketCount>> PgEventLog::bucket_counts(
    const domain::BucketQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(
      auto buckets, domain::bucket_ranges(query.from_ms, query.to_ms, query.size, query.time_zone));
  std::vector<std::string> names = sorted_names(query.names);
  if (names.empty()) {
    auto all = db_.query("SELECT name FROM event_names ORDER BY name");
    for (int row = 0; row < all.rows(); ++row) names.emplace_back(all.text(row, 0));
  }
  const std::map<std::string, std::int64_t> ids = find_names(names);
  Json ranges = Json::array();
  for (const auto& b : buckets) ranges.push_back(Json::array({b.from_ms, b.to_ms}));
  const std::string ranges_text = ranges.dump();
  std::vector<domain::BucketCount> out;
  out.reserve(names.size() * buckets.size());
  for (const auto& name : names) {
    const auto id = ids.find(name);
    std::vector<std::int64_t> counts(buckets.size(), 0);
    if (id != ids.end()) {
      // One count per bucket, each a range of events_by_name (index-only once vacuumed), in
      // one statement: the same plan as SQLite's, one round trip.
      auto r = db_.query(
          "SELECT (SELECT count(*) FROM events WHERE name_id = $1::bigint "
          "AND occurred_at >= (b.v->>0)::bigint AND occurred_at < (b.v->>1)::bigint) "
          "FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS b(v, i) ORDER BY b.i",
          params(id->second, ranges_text));
      for (int row = 0; row < r.rows() && row < static_cast<int>(counts.size()); ++row) {
        counts[static_cast<std::size_t>(row)] = r.int64(row, 0);
      }
    }
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      out.push_back({name, buckets[i].start_ms, counts[i]});
    }
  }
  return out;
}

Result<std::map<std::string, std::int64_t>> PgEventLog::contact_counts(
    std::int64_t contact_id, std::int64_t since_ms, const std::vector<std::string>& names) {
  std::map<std::string, std::int64_t> counts;
  auto r = db_.query(
      "SELECT n.name, c.n FROM (SELECT name_id, count(*) AS n FROM events "
      "WHERE contact_id = $1 AND occurred_at >= $2 GROUP BY name_id) AS c "
      "JOIN event_names n ON n.id = c.name_id",
      params(contact_id, since_ms));
  for (int row = 0; row < r.rows(); ++row)
    counts.emplace(std::string(r.text(row, 0)), r.int64(row, 1));
  if (names.empty()) return counts;
  std::map<std::string, std::int64_t> asked;
  for (const auto& name : names) {
    auto it = counts.find(name);
    asked[name] = it == counts.end() ? 0 : it->second;
  }
  return asked;
}

Result<std::int64_t> PgEventLog::identify(const std::string& visitor_id, std::int64_t contact_id) {
  if (visitor_id.empty()) return Error::field("visitor_id", "must not be empty");
  if (db_.query("SELECT 1 FROM contacts WHERE id = $1", params(contact_id)).rows() == 0) {
    return Error::field("contact_id", "no contact with id " + std::to_string(contact_id));
  }
  auto r =
      db_.query("UPDATE events SET contact_id = $1 WHERE visitor_id = $2 AND contact_id IS NULL",
                params(contact_id, visitor_id));
  return r.affected();
}

std::int64_t PgEventLog::prune_before(std::int64_t before_ms, int limit) {
  // Oldest events per name through events_by_name: finding nothing left to delete costs one
  // index probe per name, never a scan of the table.
  auto r = db_.query(
      "DELETE FROM events WHERE id IN (SELECT e.id FROM event_names n CROSS JOIN LATERAL "
      "(SELECT id FROM events WHERE name_id = n.id AND occurred_at < $1 LIMIT $2) AS e "
      "LIMIT $2)",
      params(before_ms, static_cast<std::int64_t>(std::max(limit, 0))));
  return r.affected();
}

void PgEventLog::move_contact(std::int64_t from, std::int64_t into) {
  db_.query("UPDATE events SET contact_id = $1 WHERE contact_id = $2", params(into, from));
}

}  // namespace relais::storage::postgres
