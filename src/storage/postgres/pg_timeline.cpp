// read_timeline: one record's history as a single keyset-paginated UNION ALL over its
// on_timeline children (activities, notes, tasks), deal stage changes and audit rows, newest first
// — item for item what storage/sqlite/timeline.cpp returns. `at` is text COLLATE "C" everywhere, so
// the order and the (at, rank, id) cursor compare byte by byte as on SQLite.
#include "storage/postgres/pg_timeline.hpp"

#include <fmt/format.h>

#include "storage/common/keyset.hpp"
#include "storage/postgres/pg_list_query.hpp"

namespace relais::storage::postgres {
namespace {

// One SELECT per kind of item: each on_timeline child type restricted to the rows linked to
// the record and to what the query's visibility lets the actor see, then the record's own
// stage changes and audit rows. Table and column names come from the schema only; booleans
// and jsonb columns are JSON values as they are.
// `rank` orders items sharing a timestamp deterministically (and keeps the cursor total).
std::string timeline_sql(const domain::TimelineQuery& query, const Json& cursor,
                         std::vector<SqlValue>& params) {
  std::string parts;
  for (const domain::TimelineChild& child : query.children) {
    const domain::EntitySchema& schema = *child.schema;
    const domain::TimelineEntry& entry = *schema.on_timeline;
    std::string data;
    for (const std::string& name : entry.fields) {
      if (schema.field(name) == nullptr) continue;
      data += fmt::format("{}'{}', {}", data.empty() ? "" : ", ", name, name);
    }
    const std::string at = entry.time_field.empty()
                               ? std::string("created_at")
                               : fmt::format("coalesce({}, created_at)", entry.time_field);
    params.emplace_back(query.record_id);
    std::string where =
        fmt::format("{}.{} = {}", schema.plural, child.link->name, placeholder(params));
    if (std::string visible = visibility_condition(child.visibility, schema.plural, params);
        !visible.empty()) {
      where += " AND " + visible;
    }
    parts += fmt::format(
        "SELECT '{}'::text AS kind, {}::bigint AS rank, {} AS at, id, jsonb_build_object({}) AS "
        "data FROM {} WHERE {} UNION ALL ",
        schema.name, entry.rank, at, data, schema.plural, where);
  }
  if (query.entity == "deal") {
    params.emplace_back(query.record_id);
    parts += fmt::format(
        "SELECT 'stage_change'::text AS kind, 1::bigint AS rank, at, id, "
        "jsonb_build_object('from_stage', from_stage, 'to_stage', to_stage, 'actor_user_id', "
        "actor_user_id) AS data FROM deal_stage_changes WHERE deal_id = {} UNION ALL ",
        placeholder(params));
  }
  params.emplace_back(query.entity);
  const std::string entity = placeholder(params);
  params.emplace_back(query.record_id);
  parts += fmt::format(
      "SELECT 'audit'::text AS kind, 0::bigint AS rank, at, id, jsonb_build_object('action', "
      "action, 'actor_user_id', actor_user_id, 'changes', after_json, 'before', before_json) "
      "AS data FROM audit_log WHERE entity = {} AND record_id = {}",
      entity, placeholder(params));
  std::string after;
  if (!cursor.is_null()) {
    params.emplace_back(cursor[0].get<std::string>());
    const std::string at = placeholder(params);
    params.emplace_back(cursor[1].get<std::int64_t>());
    const std::string rank = placeholder(params);
    params.emplace_back(cursor[2].get<std::int64_t>());
    after = fmt::format("WHERE (at, rank, id) < ({}, {}, {})", at, rank, placeholder(params));
  }
  params.emplace_back(static_cast<std::int64_t>(effective_limit(query.limit) + 1));
  return fmt::format(
      "SELECT kind, rank, at, id, data FROM ({}) AS items {} ORDER BY at DESC, rank DESC, "
      "id DESC LIMIT {}",
      parts, after, placeholder(params));
}

}  // namespace

Result<domain::Page> read_timeline(PgConnection& db, const domain::TimelineQuery& query) {
  const domain::EntitySchema* schema = domain::find_schema(query.entity);
  if (schema == nullptr || !schema->has_timeline) {
    return Error::bad_request(fmt::format("'{}' records have no timeline", query.entity));
  }
  Json cursor;
  if (!query.cursor.empty()) {
    RELAIS_ASSIGN_OR_RETURN(cursor, decode_cursor(query.cursor, 3));
    if (!cursor[0].is_string() || !cursor[1].is_number_integer() ||
        !cursor[2].is_number_integer()) {
      return Error::bad_request("invalid cursor");
    }
  }
  const auto limit = static_cast<std::size_t>(effective_limit(query.limit));
  std::vector<SqlValue> params;
  const PgResult rows = db.query(timeline_sql(query, cursor, params), params);

  domain::Page page;
  Json last_key;
  for (int row = 0; row < rows.rows(); ++row) {
    if (page.items.size() == limit) {  // the extra row only says there is a next page
      page.next_cursor = encode_cursor(last_key);
      break;
    }
    Json item = Json::parse(rows.text(row, 4), nullptr, false);
    if (!item.is_object()) item = Json::object();
    item["kind"] = std::string(rows.text(row, 0));
    item["at"] = std::string(rows.text(row, 2));
    item["id"] = rows.int64(row, 3);
    last_key = Json::array({item["at"], rows.int64(row, 1), item["id"]});
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace relais::storage::postgres
