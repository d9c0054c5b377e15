// SqliteTransaction::timeline: one record's history as a single keyset-paginated UNION ALL
// over activities, notes, tasks, deal stage changes and audit rows, newest first.
#include <fmt/format.h>

#include "storage/common/keyset.hpp"
#include "storage/sqlite/list_query.hpp"
#include "storage/sqlite/sqlite_transaction.hpp"

namespace relais::storage::sqlite {
namespace {

// One SELECT per kind of item, each restricted to the rows linked to the record and, for
// activities, notes and tasks, to what the query's visibility lets the actor see.
// `rank` orders items sharing a timestamp deterministically (and keeps the cursor total).
std::string timeline_sql(const domain::TimelineQuery& query, const char* link, const Json& cursor,
                         std::vector<SqlValue>& params) {
  auto linked = [&](const char* table, const domain::Visibility& visibility) {
    std::string where = fmt::format("{}.{} = ?", table, link);
    params.emplace_back(query.record_id);
    if (std::string visible = visibility_condition(visibility, table, params); !visible.empty()) {
      where += " AND " + visible;
    }
    return where;
  };
  std::string parts = fmt::format(
      "SELECT 'activity' AS kind, 4 AS rank, coalesce(occurred_at, created_at) AS at, id, "
      "json_object('type', type, 'subject', subject, 'body', body, 'outcome', outcome, "
      "'duration_minutes', duration_minutes, 'occurred_at', occurred_at, 'owner_id', owner_id) "
      "AS data FROM activities WHERE {} ",
      linked("activities", query.activities));
  parts += fmt::format(
      "UNION ALL SELECT 'note', 3, created_at, id, json_object('body', body, 'pinned', "
      "json(CASE pinned WHEN 1 THEN 'true' ELSE 'false' END), 'owner_id', owner_id) "
      "FROM notes WHERE {} ",
      linked("notes", query.notes));
  parts += fmt::format(
      "UNION ALL SELECT 'task', 2, created_at, id, json_object('title', title, 'status', status, "
      "'priority', priority, 'due_date', due_date, 'completed_at', completed_at, "
      "'assignee_id', assignee_id) FROM tasks WHERE {} ",
      linked("tasks", query.tasks));
  if (query.entity == "deal") {
    parts +=
        "UNION ALL SELECT 'stage_change', 1, at, id, json_object('from_stage', from_stage, "
        "'to_stage', to_stage, 'actor_user_id', actor_user_id) FROM deal_stage_changes "
        "WHERE deal_id = ? ";
    params.emplace_back(query.record_id);
  }
  parts +=
      "UNION ALL SELECT 'audit', 0, at, id, json_object('action', action, 'actor_user_id', "
      "actor_user_id, 'changes', json(after_json), 'before', json(before_json)) "
      "FROM audit_log WHERE entity = ? AND record_id = ?";
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
  const char* link = timeline_link_column(query.entity);
  if (link == nullptr) {
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
  auto stmt = db_.prepare(timeline_sql(query, link, cursor, params));
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
