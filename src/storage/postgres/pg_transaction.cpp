#include "storage/postgres/pg_transaction.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "domain/records/values.hpp"
#include "storage/common/keyset.hpp"
#include "storage/common/record_text.hpp"
#include "storage/common/time_util.hpp"
#include "storage/postgres/pg_list_query.hpp"
#include "storage/postgres/pg_listener.hpp"
#include "storage/postgres/pg_record_codec.hpp"
#include "storage/postgres/pg_timeline.hpp"

namespace relais::storage::postgres {
namespace {

using domain::EntitySchema;

bool is_system_field(const std::string& name) {
  return name == "id" || name == "version" || name == "created_at" || name == "updated_at";
}

// Tables with a unique index besides the primary key (EntitySchema::unique_keys, as
// migrations/0001 creates them): a violation there is answered with the existing record's id,
// which needs a query after the failed statement, so their writes run in an internal
// savepoint.
bool has_unique_keys(const EntitySchema& schema) { return !schema.unique_keys.empty(); }

}  // namespace

Error error_from_pg(const PgError& e) {
  if (e.is_unique_violation()) return Error::conflict("a record with this value already exists");
  if (e.is_foreign_key_violation()) {
    return Error::validation("a referenced record does not exist or is still referenced");
  }
  if (e.is_not_null_violation() && !e.column().empty())
    return Error::field(e.column(), "is required");
  if (e.is_data_exception()) return Error::bad_request("a value does not fit its field");
  return Error::validation("the values break a database constraint");
}

PgResult PgTransaction::write(const std::string& sql, const std::vector<SqlValue>& params) {
  return db_.query(sql, params);
}

std::optional<std::int64_t> PgTransaction::find_id(const std::string& sql, const std::string& key) {
  auto result = db_.query(sql, params(key));
  if (result.rows() == 0) return std::nullopt;
  return result.int64(0, 0);
}

Error PgTransaction::constraint_error(const EntitySchema& schema, const PgError& e,
                                      const Json& values) {
  auto text_of = [&](const char* key) {
    const auto it = values.find(key);
    return it != values.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (e.is_unique_violation() && e.constraint() == "users_email_unique") {
    Json details = Json::object();
    if (auto id = find_id("SELECT id FROM users WHERE lower(email) = $1",
                          normalise_key(text_of("email")))) {
      details["existing_id"] = *id;
    }
    Error err = Error::conflict("a user with this e-mail address already exists", details);
    err.fields["email"] = "already used";
    return err;
  }
  if (e.is_unique_violation() && e.constraint() == "companies_domain_unique") {
    Json details = Json::object();
    if (auto id = find_company_by_domain(text_of("domain"))) details["existing_id"] = *id;
    Error err = Error::conflict("a company with this domain already exists", details);
    err.fields["domain"] = "already used";
    return err;
  }
  if (e.is_foreign_key_violation()) return Error::validation("a referenced record does not exist");
  (void)schema;
  return error_from_pg(e);
}

Result<PgResult> PgTransaction::guarded_write(const EntitySchema& schema, const Json& values,
                                              const std::string& sql,
                                              const std::vector<SqlValue>& params) {
  const bool guard = has_unique_keys(schema);
  if (guard) db_.exec("SAVEPOINT relais_write");
  try {
    PgResult result = write(sql, params);
    if (guard) db_.exec("RELEASE SAVEPOINT relais_write");
    return result;
  } catch (const PgError& e) {
    if (!e.is_constraint() && !e.is_data_exception()) throw;
    if (!guard) return error_from_pg(e);  // the transaction is aborted: the unit must end
    db_.exec("ROLLBACK TO SAVEPOINT relais_write");
    db_.exec("RELEASE SAVEPOINT relais_write");
    return constraint_error(schema, e, values);
  }
}

Result<Json> PgTransaction::get(const EntitySchema& schema, std::int64_t id) {
  auto result = db_.query(fmt::format("SELECT {} FROM {} AS t WHERE t.id = $1",
                                      select_columns(schema, "t"), quote_ident(schema.plural)),
                          params(id));
  if (result.rows() == 0) return Error::not_found(fmt::format("{} {} not found", schema.name, id));
  return decode_record(schema, result, 0);
}

Result<domain::Page> PgTransaction::list(const EntitySchema& schema,
                                         const domain::ListQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(ResolvedSort sort, resolve_sort(schema, query.sort));
  RELAIS_ASSIGN_OR_RETURN(PgSql sql, compile_list(schema, query, sort));
  const auto limit = static_cast<int>(effective_limit(query.limit));
  auto result = db_.query(sql.sql, sql.params);
  domain::Page page;
  const int rows = result.rows();
  page.items.reserve(static_cast<std::size_t>(std::min(rows, limit)));
  for (int r = 0; r < rows && r < limit; ++r)
    page.items.push_back(decode_record(schema, result, r));
  if (rows > limit) page.next_cursor = cursor_for(sort, page.items.back());
  return page;
}

Result<domain::PageText> PgTransaction::list_text(const EntitySchema& schema,
                                                  const domain::ListQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(ResolvedSort sort, resolve_sort(schema, query.sort));
  RELAIS_ASSIGN_OR_RETURN(PgSql sql, compile_list(schema, query, sort));
  const auto limit = static_cast<int>(effective_limit(query.limit));
  auto result = db_.query(sql.sql, sql.params);
  const RecordTextLayout layout(schema);
  domain::PageText page;
  page.items_json.reserve(4096);
  page.items_json.push_back('[');
  const int rows = std::min(result.rows(), limit);
  for (int r = 0; r < rows; ++r) {
    if (r > 0) page.items_json.push_back(',');
    append_record(page.items_json, layout, [&](int column, ColumnText as) {
      ColumnValue value;
      if (result.is_null(r, column)) return value;
      value.kind = as == ColumnText::kString || as == ColumnText::kJson
                       ? ColumnValue::Kind::kText
                       : ColumnValue::Kind::kInteger;
      if (as == ColumnText::kBoolean) {
        value.integer = result.boolean(r, column) ? 1 : 0;
      } else if (as == ColumnText::kNumber) {
        value.integer = result.int64(r, column);
      } else {
        value.text = result.text(r, column);
      }
      return value;
    });
  }
  page.count = static_cast<std::size_t>(rows);
  page.items_json.push_back(']');
  if (result.rows() > limit) {
    page.next_cursor = cursor_for(sort, decode_record(schema, result, limit - 1));
  }
  return page;
}

Result<std::int64_t> PgTransaction::count(const EntitySchema& schema,
                                          const domain::ListQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(PgSql sql, compile_count(schema, query));
  return db_.query(sql.sql, sql.params).int64(0, 0);
}

Result<Json> PgTransaction::insert(const EntitySchema& schema, const Json& values) {
  if (!values.is_object()) return Error::bad_request("a record must be a JSON object");
  const std::string now = effective_time();
  std::vector<SqlValue> bound;
  bound.reserve(schema.fields.size());
  std::string columns;
  std::string placeholders;
  for (const auto& f : schema.fields) {
    if (f.name == "id") continue;
    SqlValue value;
    const auto it = values.find(f.name);
    if (f.name == "version") {
      value = std::int64_t{1};
    } else if (f.name == "created_at" || f.name == "updated_at") {
      if (it == values.end() || it->is_null()) {
        value = now;
      } else if (it->is_string() &&
                 domain::is_storage_timestamp(it->get_ref<const std::string&>())) {
        value = it->get<std::string>();
      } else {
        return Error::field(f.name, "must look like 2026-11-25T14:03:07.123Z (UTC)");
      }
    } else {
      RELAIS_ASSIGN_OR_RETURN(value, encode_field(f, it != values.end() ? *it : f.default_value));
    }
    bound.push_back(std::move(value));
    columns += (columns.empty() ? "" : ", ") + quote_ident(f.name);
    placeholders += (placeholders.empty() ? "$" : ", $") + std::to_string(bound.size());
  }
  const std::string sql =
      fmt::format("INSERT INTO {} AS t ({}) VALUES ({}) RETURNING {}", quote_ident(schema.plural),
                  columns, placeholders, select_columns(schema, "t"));
  RELAIS_ASSIGN_OR_RETURN(PgResult result, guarded_write(schema, values, sql, bound));
  return decode_record(schema, result, 0);
}

Result<Json> PgTransaction::update(const EntitySchema& schema, std::int64_t id, const Json& changes,
                                   std::optional<std::int64_t> expected_version) {
  if (!changes.is_object()) return Error::bad_request("changes must be a JSON object");
  std::string sets;
  std::vector<SqlValue> bound;
  for (const auto& [key, value] : changes.items()) {
    const auto* f = schema.field(key);
    if (f == nullptr || is_system_field(f->name)) continue;
    RELAIS_ASSIGN_OR_RETURN(SqlValue v, encode_field(*f, value));
    bound.push_back(std::move(v));
    sets += fmt::format("{} = ${}, ", quote_ident(f->name), bound.size());
  }
  bound.emplace_back(effective_time());
  sets += fmt::format("version = t.version + 1, updated_at = ${}", bound.size());
  bound.emplace_back(id);
  std::string where = fmt::format("t.id = ${}", bound.size());
  if (expected_version) {
    bound.emplace_back(*expected_version);
    where += fmt::format(" AND t.version = ${}", bound.size());
  }
  const std::string sql =
      fmt::format("UPDATE {} AS t SET {} WHERE {} RETURNING {}", quote_ident(schema.plural), sets,
                  where, select_columns(schema, "t"));
  RELAIS_ASSIGN_OR_RETURN(PgResult result, guarded_write(schema, changes, sql, bound));
  if (result.rows() == 0) {
    auto current =
        db_.query(fmt::format("SELECT version FROM {} WHERE id = $1", quote_ident(schema.plural)),
                  params(id));
    if (current.rows() == 0)
      return Error::not_found(fmt::format("{} {} not found", schema.name, id));
    return Error::conflict("version mismatch", Json{{"current_version", current.int64(0, 0)}});
  }
  return decode_record(schema, result, 0);
}

Result<void> PgTransaction::remove(const EntitySchema& schema, std::int64_t id) {
  try {
    auto result =
        write(fmt::format("DELETE FROM {} WHERE id = $1", quote_ident(schema.plural)), params(id));
    if (result.affected() == 0) {
      return Error::not_found(fmt::format("{} {} not found", schema.name, id));
    }
  } catch (const PgError& e) {
    if (!e.is_foreign_key_violation()) throw;
    return Error::conflict(fmt::format("{} {} is still used by other records", schema.name, id));
  }
  return {};
}

Result<void> PgTransaction::set_contact_emails(std::int64_t contact_id,
                                               const std::vector<std::string>& emails) {
  write("DELETE FROM contact_emails WHERE contact_id = $1", params(contact_id));
  return add_contact_emails(contact_id, emails);
}

Result<void> PgTransaction::add_contact_emails(std::int64_t contact_id,
                                               const std::vector<std::string>& emails) {
  for (const auto& raw : emails) {
    const std::string email = normalise_key(raw);
    if (email.empty()) continue;
    // ON CONFLICT DO NOTHING instead of a failing INSERT: the transaction stays usable, and
    // the owner of a taken address is looked up only then.
    std::optional<std::int64_t> owner;
    try {
      auto inserted = write(
          "INSERT INTO contact_emails(email, contact_id) VALUES ($1, $2) "
          "ON CONFLICT (email) DO NOTHING",
          params(email, contact_id));
      if (inserted.affected() == 1) continue;
    } catch (const PgError& e) {
      if (!e.is_foreign_key_violation()) throw;
      return Error::not_found(fmt::format("contact {} not found", contact_id));
    }
    owner = find_id("SELECT contact_id FROM contact_emails WHERE email = $1", email);
    if (owner && *owner == contact_id) continue;  // listed twice
    if (!owner) continue;  // the other owner let it go meanwhile: cannot happen under SERIALIZABLE
    Error err = Error::conflict(
        fmt::format("the e-mail address {} already belongs to contact {}", email, *owner),
        Json{{"existing_id", *owner}, {"email", email}});
    err.fields["emails"] = "already used by another contact";
    return err;
  }
  return {};
}

std::optional<std::int64_t> PgTransaction::find_contact_by_email(const std::string& email) {
  return find_id("SELECT contact_id FROM contact_emails WHERE email = $1", normalise_key(email));
}

std::optional<std::int64_t> PgTransaction::find_company_by_domain(const std::string& domain) {
  const std::string key = normalise_key(domain);
  if (key.empty()) return std::nullopt;
  // Same expression and predicate as companies_domain_unique, so that index answers.
  return find_id(
      "SELECT id FROM companies WHERE lower(domain) = $1 AND domain IS NOT NULL AND domain <> ''",
      key);
}

Result<void> PgTransaction::repoint_contact(std::int64_t from_contact, std::int64_t into_contact) {
  if (from_contact == into_contact) return Error::bad_request("cannot merge a contact into itself");
  // Every single reference to a contact, in every record type (activities, tasks, notes).
  for (const EntitySchema* schema : domain::all_schemas()) {
    for (const domain::FieldDef& field : schema->fields) {
      if (field.type != domain::FieldType::kReference || field.references != "contact") continue;
      write(fmt::format("UPDATE {0} SET {1} = $1 WHERE {1} = $2", schema->plural, field.name),
            params(into_contact, from_contact));
    }
  }
  write("UPDATE contact_emails SET contact_id = $1 WHERE contact_id = $2",
        params(into_contact, from_contact));
  events_.move_contact(from_contact, into_contact);
  auto found = db_.query("SELECT id, contact_ids FROM deals WHERE contact_ids @> $1::jsonb",
                         params(Json::array({from_contact}).dump()));
  const std::string now = effective_time();
  for (int r = 0; r < found.rows(); ++r) {
    const Json ids = Json::parse(found.text(r, 1), nullptr, false);
    if (!ids.is_array()) continue;
    Json merged = Json::array();
    for (const auto& v : ids) {
      const Json target = v == from_contact ? Json(into_contact) : v;
      if (std::find(merged.begin(), merged.end(), target) == merged.end()) merged.push_back(target);
    }
    write("UPDATE deals SET contact_ids = $1, version = version + 1, updated_at = $2 WHERE id = $3",
          params(merged.dump(), now, found.int64(r, 0)));
  }
  return {};
}

void PgTransaction::record_stage_change(std::int64_t deal_id, const std::string& from_stage,
                                        const std::string& to_stage, std::int64_t actor_user_id) {
  write(
      "INSERT INTO deal_stage_changes(deal_id, from_stage, to_stage, at, actor_user_id) "
      "VALUES ($1, NULLIF($2, ''), $3, $4, $5)",
      params(deal_id, from_stage, to_stage, effective_time(), actor_user_id));
}

void PgTransaction::record_audit(const domain::AuditEntry& entry) {
  auto json_or_null = [](const Json& v) {
    return v.is_null() ? SqlValue(nullptr) : SqlValue(v.dump());
  };
  // Deferred: nothing reads its result and no constraint can refuse it (its JSON comes from
  // validated records, which hold no NUL that jsonb would refuse); should it fail, the unit
  // fails as a whole (PgConnection::defer).
  db_.defer_query(
      "INSERT INTO audit_log(at, actor_user_id, entity, record_id, action, before_json, "
      "after_json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {trail_time(), entry.actor_user_id, entry.entity, entry.record_id, entry.action,
       json_or_null(entry.before), json_or_null(entry.after)});
}

void PgTransaction::record_event(const domain::DomainEvent& event) {
  db_.defer_query(  // as record_audit()
      "INSERT INTO outbox_events(at, type, entity, record_id, actor_user_id, payload_json) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      params(trail_time(), event.type, event.entity, event.record_id, event.actor_user_id,
             event.payload.is_null() ? std::string("{}") : event.payload.dump()));
  // Not a NOTIFY: nearly every write records an event, and PostgreSQL serialises the commits
  // of notifying transactions (a database-wide lock held until the commit is flushed). The
  // dispatcher of this process is woken after the commit; the others poll (signals.hpp).
  local_signals_.add(domain::Topic::kOutbox);
}

void PgTransaction::publish(domain::Topic topic, const std::string& key) {
  if (!write_unit_) return;
  switch (topic) {
    case domain::Topic::kJobsDue:
      db_.query("SELECT pg_notify($1, '')", params(std::string(PgJobQueue::kJobsChannel)));
      return;
    case domain::Topic::kAuth:
      // The payload is a stored hash or a user id, never a secret (signals.hpp).
      db_.query("SELECT pg_notify($1, $2)", params(std::string(kAuthChannel), key));
      return;
    case domain::Topic::kOutbox:
      local_signals_.add(topic, key);
      return;
  }
}

Result<Json> PgTransaction::savepoint(const std::function<Result<Json>()>& step) {
  const std::string name = "sp" + std::to_string(++savepoint_depth_);
  struct Depth {
    int& depth;
    ~Depth() { --depth; }
  } depth{savepoint_depth_};
  // Sent with the step's first statement (or the RELEASE): no round trip of its own.
  db_.defer("SAVEPOINT " + name);
  auto undo = [&] {
    db_.exec("ROLLBACK TO SAVEPOINT " + name);
    db_.exec("RELEASE SAVEPOINT " + name);
  };
  Result<Json> result = Error::internal();
  try {
    result = step();
  } catch (const PgAbortError&) {
    throw;  // dooms the whole transaction (serialization failure, a deferred statement)
  } catch (const PgError& e) {
    // A serialization failure dooms the whole transaction: let the store retry it.
    if (e.is_retryable() || e.is_connection_failure()) throw;
    undo();
    if (e.is_constraint() || e.is_data_exception()) return error_from_pg(e);
    throw;
  } catch (...) {
    undo();
    throw;
  }
  if (!result.ok()) {
    undo();
  } else {
    db_.defer("RELEASE SAVEPOINT " + name);  // sent with the unit's next statement or COMMIT
  }
  return result;
}

Result<void> PgTransaction::set_effective_time(std::optional<std::string> iso_utc) {
  if (iso_utc && !domain::is_storage_timestamp(*iso_utc)) {
    return Error::bad_request("an effective time must look like 2026-11-25T14:03:07.123Z (UTC)");
  }
  effective_time_ = std::move(iso_utc);
  return {};
}

std::string PgTransaction::effective_time() {
  return effective_time_ ? *effective_time_ : now_iso();
}

std::string PgTransaction::trail_time() {
  return effective_time_scope_ == domain::EffectiveTimeScope::kRecordsOnly ? now_iso()
                                                                           : effective_time();
}

Result<domain::Page> PgTransaction::timeline(const domain::TimelineQuery& query) {
  return read_timeline(db_, query);
}

}  // namespace relais::storage::postgres
