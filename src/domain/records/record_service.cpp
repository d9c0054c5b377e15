// The one write path for records: permission check, validation, type rules, reference
// checks, optimistic concurrency, then the row, its audit entry and its domain event in the
// same unit of work (so a crash never leaves a write without its audit/event or vice versa).
#include "domain/records/record_service.hpp"

#include <set>
#include <sstream>

#include "domain/auth/permissions.hpp"
#include "domain/query/filter_parser.hpp"
#include "domain/records/duplicate_conflict.hpp"
#include "domain/records/reference_checks.hpp"
#include "domain/records/validation.hpp"

namespace relais::domain {
namespace {

constexpr int kMaxLimit = 500;

// Fields the storage engine maintains; never part of a change set.
bool is_system_field(const std::string& name) {
  return name == "id" || name == "version" || name == "created_at" || name == "updated_at";
}

Json field_or_null(const Json& record, const std::string& name) {
  auto it = record.find(name);
  return it == record.end() ? Json(nullptr) : *it;
}

std::optional<std::int64_t> version_of(const Json& record) {
  auto it = record.find("version");
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

Error stale_version(std::int64_t expected, std::optional<std::int64_t> actual) {
  Json details = {{"expected_version", expected}};
  if (actual) details["current_version"] = *actual;
  return Error::conflict("the record was changed by someone else (version " +
                             (actual ? std::to_string(*actual) : std::string("?")) + ", you sent " +
                             std::to_string(expected) + "); reload and retry",
                         std::move(details));
}

// The one rule for what a write may leave behind, on create and on update alike: the record
// as it will be stored must be one the actor may write. So a PATCH of owner_id/team_id cannot
// hand a record to another team when a POST with the same values would be refused.
Result<void> check_result_in_reach(const Actor& actor, const EntitySchema& schema,
                                   const Json& candidate) {
  if (can_write(actor, schema, candidate)) return {};
  return Error::forbidden("you may only keep " + schema.plural + " owned by you or your team");
}

std::string event_type(const EntitySchema& schema, const char* what) {
  return schema.name + "." + what;
}

}  // namespace

RecordService::RecordService(Store& store, const EntitySchema& schema,
                             std::unique_ptr<RecordRules> rules)
    : store_(store), schema_(schema), rules_(std::move(rules)) {}

Result<Json> RecordService::get(const Actor& actor, std::int64_t id) {
  if (schema_access(actor, schema_).read == Reach::kNone) {
    return Error::forbidden("you are not allowed to read " + schema_.plural);
  }
  return store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json record, tx.get(schema_, id));
    // Out of scope looks exactly like absent: do not reveal that the id exists.
    if (!can_read(actor, schema_, record)) {
      return Error::not_found(schema_.name + " " + std::to_string(id) + " not found");
    }
    return record;
  });
}

Result<ListQuery> RecordService::build_query(const Actor& actor, const ListRequest& request) const {
  if (request.limit < 1 || request.limit > kMaxLimit) {
    return Error::bad_request("limit must be between 1 and " + std::to_string(kMaxLimit));
  }
  ListQuery query;
  query.limit = request.limit;
  query.cursor = request.cursor;
  query.text_search = request.q;
  query.visibility = visibility(actor, schema_);
  RELAIS_ASSIGN_OR_RETURN(query.filter, parse_filter(request.filter, schema_));

  std::set<std::string> seen;
  std::stringstream parts(request.sort);
  std::string part;
  while (std::getline(parts, part, ',')) {
    std::string name = part;
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) continue;
    SortKey key;
    if (name.front() == '-' || name.front() == '+') {
      key.descending = name.front() == '-';
      name.erase(name.begin());
    }
    const FieldDef* field = schema_.field(name);
    const bool sortable = field != nullptr && field->sortable &&
                          field->type != FieldType::kObject && field->type != FieldType::kList &&
                          field->type != FieldType::kTextList &&
                          field->type != FieldType::kReferenceList;
    if (!sortable) {
      return Error::validation("cannot sort " + schema_.plural + " by '" + name + "'",
                               {{"sort", "unknown or unsortable field '" + name + "'"}});
    }
    if (!seen.insert(name).second) continue;
    key.field = name;
    query.sort.push_back(std::move(key));
  }
  return query;
}

Result<Page> RecordService::list(const Actor& actor, const ListRequest& request) {
  if (!can_list(actor, schema_)) {
    return Error::forbidden("you are not allowed to list " + schema_.plural);
  }
  RELAIS_ASSIGN_OR_RETURN(ListQuery query, build_query(actor, request));
  Page page;
  auto done = store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(page, tx.list(schema_, query));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return page;
}

Result<PageText> RecordService::list_text(const Actor& actor, const ListRequest& request) {
  if (!can_list(actor, schema_)) {
    return Error::forbidden("you are not allowed to list " + schema_.plural);
  }
  RELAIS_ASSIGN_OR_RETURN(ListQuery query, build_query(actor, request));
  PageText page;
  auto done = store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(page, tx.list_text(schema_, query));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return page;
}

Result<Json> RecordService::create(const Actor& actor, const Json& body) {
  return store_.write([&](Transaction& tx) { return create_in(tx, actor, body); });
}

Result<Json> RecordService::update(const Actor& actor, std::int64_t id, const Json& patch,
                                   std::optional<std::int64_t> if_match) {
  return store_.write([&](Transaction& tx) { return update_in(tx, actor, id, patch, if_match); });
}

Result<void> RecordService::remove(const Actor& actor, std::int64_t id,
                                   std::optional<std::int64_t> if_match) {
  auto done = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(remove_in(tx, actor, id, if_match));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return {};
}

Result<void> RecordService::remove_in(Transaction& tx, const Actor& actor, std::int64_t id,
                                      std::optional<std::int64_t> if_match) {
  RELAIS_ASSIGN_OR_RETURN(Json before, tx.get(schema_, id));
  if (!can_read(actor, schema_, before)) {
    return Error::not_found(schema_.name + " " + std::to_string(id) + " not found");
  }
  if (!can_write(actor, schema_, before)) {
    return Error::forbidden("you are not allowed to delete this " + schema_.name);
  }
  if (if_match && version_of(before) != *if_match)
    return stale_version(*if_match, version_of(before));
  if (rules_) RELAIS_TRY(rules_->before_delete(tx, actor, before));
  RELAIS_TRY(tx.remove(schema_, id));
  tx.record_audit(AuditEntry{actor.user_id, schema_.name, id, "delete", before, nullptr});
  tx.record_event(DomainEvent{
      event_type(schema_, "deleted"), schema_.name, id, actor.user_id, {{"record", before}}});
  return {};
}

Result<Json> RecordService::create_in(Transaction& tx, const Actor& actor, const Json& body) {
  auto created = write_new(tx, actor, body);
  if (!created.ok())
    return conceal_unreadable_holder(tx, actor, schema_, std::move(created).error());
  return created;
}

Result<Json> RecordService::update_in(Transaction& tx, const Actor& actor, std::int64_t id,
                                      const Json& patch, std::optional<std::int64_t> if_match) {
  auto updated = write_changes(tx, actor, id, patch, if_match);
  if (!updated.ok())
    return conceal_unreadable_holder(tx, actor, schema_, std::move(updated).error());
  return updated;
}

Result<Json> RecordService::write_new(Transaction& tx, const Actor& actor, const Json& body) {
  if (!can_create(actor, schema_)) {
    return Error::forbidden("you are not allowed to create " + schema_.plural);
  }
  RELAIS_ASSIGN_OR_RETURN(Json candidate, validate_record(schema_, body, ValidationMode::kCreate));
  if (schema_.owned) {
    // A new record belongs to whoever creates it unless said otherwise; the system actor
    // (imports, jobs) leaves it unowned.
    if (!candidate.contains("owner_id") && !actor.is_system())
      candidate["owner_id"] = actor.user_id;
    if (!candidate.contains("team_id") && actor.team_id) candidate["team_id"] = *actor.team_id;
  }
  if (rules_) RELAIS_TRY(rules_->before_write(tx, actor, nullptr, candidate));
  RELAIS_TRY(check_references(tx, actor, schema_, nullptr, candidate));
  RELAIS_TRY(check_result_in_reach(actor, schema_, candidate));
  RELAIS_ASSIGN_OR_RETURN(Json stored, tx.insert(schema_, candidate));
  const std::int64_t id = stored.value("id", std::int64_t{0});
  if (rules_) RELAIS_TRY(rules_->after_write(tx, actor, nullptr, stored));
  AuditEntry audit{actor.user_id, schema_.name, id, "create", nullptr, stored};
  tx.record_audit(audit);
  tx.record_event(DomainEvent{event_type(schema_, "created"),
                              schema_.name,
                              id,
                              actor.user_id,
                              {{"record", std::move(audit.after)}}});
  return stored;
}

Result<Json> RecordService::write_changes(Transaction& tx, const Actor& actor, std::int64_t id,
                                          const Json& patch, std::optional<std::int64_t> if_match) {
  RELAIS_ASSIGN_OR_RETURN(Json before, tx.get(schema_, id));
  if (!can_read(actor, schema_, before)) {
    return Error::not_found(schema_.name + " " + std::to_string(id) + " not found");
  }
  if (!can_write(actor, schema_, before)) {
    return Error::forbidden("you are not allowed to change this " + schema_.name);
  }
  if (if_match && version_of(before) != *if_match)
    return stale_version(*if_match, version_of(before));
  RELAIS_ASSIGN_OR_RETURN(Json validated, validate_record(schema_, patch, ValidationMode::kUpdate));

  Json candidate = before;
  for (auto& [name, value] : validated.items()) candidate[name] = value;
  if (rules_) RELAIS_TRY(rules_->before_write(tx, actor, &before, candidate));
  RELAIS_TRY(check_references(tx, actor, schema_, &before, candidate));
  RELAIS_TRY(check_result_in_reach(actor, schema_, candidate));

  // Only what really changed is written, audited and announced.
  Json changes = Json::object();
  Json previous = Json::object();
  for (const auto& field : schema_.fields) {
    if (is_system_field(field.name)) continue;
    Json now = field_or_null(candidate, field.name);
    Json was = field_or_null(before, field.name);
    if (now != was) {
      changes[field.name] = std::move(now);
      previous[field.name] = std::move(was);
    }
  }
  if (changes.empty()) return before;

  RELAIS_ASSIGN_OR_RETURN(Json after, tx.update(schema_, id, changes, if_match));
  if (rules_) RELAIS_TRY(rules_->after_write(tx, actor, &before, after));
  tx.record_audit(AuditEntry{actor.user_id, schema_.name, id, "update", previous, changes});
  tx.record_event(DomainEvent{event_type(schema_, "updated"),
                              schema_.name,
                              id,
                              actor.user_id,
                              {{"changes", changes}, {"previous", previous}}});
  return after;
}

}  // namespace relais::domain
