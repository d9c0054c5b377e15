// SqliteTransaction::timeline: one record's history as a single keyset-paginated UNION ALL
// over its on_timeline children (activities, notes, tasks), deal stage changes and audit
// rows, newest first.
#include <fmt/format.h>

#include "storage/common/keyset.hpp"
#include "storage/sqlite/list_query.hpp"
#include "storage/sqlite/sqlite_transaction.hpp"

namespace relais::storage::sqlite {
namespace {

// One field of a child's row as a JSON value: SQLite keeps booleans as 0/1 and lists and
// objects as JSON text.
std::string json_value(const domain::FieldDef& field) {
  switch (field.type) {
    case domain::FieldType::kBoolean:
      return fmt::format("json(CASE {} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)", field.name);
    case domain::FieldType::kTextList:
    case domain::FieldType::kReferenceList:
    case domain::FieldType::kObject:
    case domain::FieldType::kList:
      return fmt::format("json({})", field.name);
    default:
      return field.name;
  }
}

// One SELECT per kind of item: each on_timeline child type restricted to the rows linked to
// the record and to what the query's visibility lets the actor see, then the record's own
// stage changes and audit rows. Table and column names come from the schema only.
// `rank` orders items sharing a timestamp deterministically (and keeps the cursor total).
std::string timeline_sql(const domain::TimelineQuery& query, const Json& cursor,
                         std::vector<SqlValue>& params) {
  std::string parts;
  for (const domain::TimelineChild& child : query.children) {
    const domain::EntitySchema& schema = *child.schema;
    const domain::TimelineEntry& entry = *schema.on_timeline;
    std::string data;
    for (const std::string& name : entry.fields) {
      const domain::FieldDef* field = schema.field(name);
      if (field == nullptr) continue;
      data += fmt::format("{}'{}', {}", data.empty() ? "" : ", ", name, json_value(*field));
    }
    const std::string at = entry.time_field.empty()
                               ? std::string("created_at")
                               : fmt::format("coalesce({}, created_at)", entry.time_field);
    std::string where = fmt::format("{}.{} = ?", schema.plural, child.link->name);
    params.emplace_back(query.record_id);
    if (std::string visible = visibility_condition(child.visibility, schema.plural, params);
        !visible.empty()) {
      where += " AND " + visible;
    }
    parts += fmt::format(
        "SELECT '{}' AS kind, {} AS rank, {} AS at, id, json_object({}) AS data FROM {} "
        "WHERE {} UNION ALL ",
        schema.name, entry.rank, at, data, schema.plural, where);
  }
  if (query.entity == "deal") {
    parts +=
        "SELECT 'stage_change' AS kind, 1 AS rank, at, id, json_object('from_stage', "
        "from_stage, 'to_stage', to_stage, 'actor_user_id', actor_user_id) AS data FROM "
        "deal_stage_changes "
        "WHERE deal_id = ? UNION ALL ";
    params.emplace_back(query.record_id);
  }
  parts +=
      "SELECT 'audit' AS kind, 0 AS rank, at, id, json_object('action', action, "
      "'actor_user_id', actor_user_id, 'changes', json(after_json), 'before', "
      "json(before_json)) AS data FROM audit_log WHERE entity = ? AND record_id = ?";
  params.emplace_back(query.entity);
  params.emplace_back(query.record_id);
  std::string after;
  if (!cursor.is_null()) {
    after = "WHERE (at, rank, id) < (?, ?, ?)";
    params.emplace_back(cursor[0].get<std::string>());
    params.emplace_back(cursor[1].get<std::int64_t>());
    params.emplace_back(cursor[2].get<std::int64_t>());
  }
  params.emplace_back(static_cast<std::int64_t>(effective_limit(query.limit) + 1));
  return fmt::format(
      "SELECT kind, rank, at, id, data FROM ({}) {} ORDER BY at DESC, rank DESC, id DESC LIMIT ?",
      parts, after);
}

}  // namespace

Result<domain::Page> SqliteTransaction::timeline(const domain::TimelineQuery& query) {
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
  auto stmt = db_.prepare(timeline_sql(query, cursor, params));
  stmt->bind_all(params);

  domain::Page page;
  Json last_key;
  while (stmt->step()) {
    if (page.items.size() == limit) {
      page.next_cursor = encode_cursor(last_key);
      break;
    }
    Json item = Json::parse(stmt->column_text(4), nullptr, false);
    if (!item.is_object()) item = Json::object();
    item["kind"] = stmt->column_text(0);
    item["at"] = stmt->column_text(2);
    item["id"] = stmt->column_int64(3);
    last_key = Json::array({stmt->column_text(2), stmt->column_int64(1), stmt->column_int64(3)});
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace relais::storage::sqlite
