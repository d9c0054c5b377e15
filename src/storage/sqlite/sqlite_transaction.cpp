#include "storage/sqlite/sqlite_transaction.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "domain/records/values.hpp"
#include "storage/common/time_util.hpp"
#include "storage/sqlite/list_query.hpp"
#include "storage/sqlite/record_codec.hpp"
#include "storage/sqlite/schema_sql.hpp"

namespace relais::storage::sqlite {
namespace {

using domain::EntitySchema;

bool is_system_field(const std::string& name) {
  return name == "id" || name == "version" || name == "created_at" || name == "updated_at";
}

// "NOT NULL constraint failed: contacts.first_name" -> "first_name".
std::string failing_column(const std::string& message) {
  const auto dot = message.rfind('.');
  return dot == std::string::npos ? std::string() : message.substr(dot + 1);
}

// What get() would decode for `value` once stored (see decode_record): JSON columns hold the
// given JSON (encode_field accepted it as array/object), booleans come back as bool.
Json stored_value(const domain::FieldDef& f, const SqlValue& value, const Json* given) {
  if (std::holds_alternative<std::nullptr_t>(value)) return nullptr;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    if (f.type == domain::FieldType::kBoolean) return *i != 0;
    return *i;
  }
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (is_json_field(f.type) && given != nullptr) return *given;
  return std::get<std::string>(value);
}

}  // namespace

Error error_from_constraint(const SqliteError& e) {
  if (e.is_unique_violation()) return Error::conflict("a record with this value already exists");
  if (e.is_foreign_key_violation()) {
    return Error::validation("a referenced record does not exist or is still referenced");
  }
  if (e.is_not_null_violation()) {
    const std::string column = failing_column(e.what());
    if (!column.empty()) return Error::field(column, "is required");
  }
  return Error::validation("the values break a database constraint");
}

Error SqliteTransaction::constraint_error(const EntitySchema& schema, const SqliteError& e,
                                          const Json& values) {
  if (e.is_unique_violation()) {
    const std::string message = e.what();
    auto text_of = [&](const char* key) {
      const auto it = values.find(key);
      return it != values.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (schema.plural == "users" && message.find("users_email_unique") != std::string::npos) {
      Json details = Json::object();
      if (auto id = find_id("SELECT id FROM users WHERE lower(email) = ?",
                            normalise_key(text_of("email")))) {
        details["existing_id"] = *id;
      }
      Error err = Error::conflict("a user with this e-mail address already exists", details);
      err.fields["email"] = "already used";
      return err;
    }
    if (schema.plural == "companies" &&
        message.find("companies_domain_unique") != std::string::npos) {
      Json details = Json::object();
      if (auto id = find_company_by_domain(text_of("domain"))) details["existing_id"] = *id;
      Error err = Error::conflict("a company with this domain already exists", details);
      err.fields["domain"] = "already used";
      return err;
    }
  }
  if (e.is_foreign_key_violation()) {
    return Error::validation("a referenced record does not exist");
  }
  return error_from_constraint(e);
}

std::optional<std::int64_t> SqliteTransaction::find_id(const std::string& sql,
                                                       const std::string& key) {
  auto stmt = db_.prepare(sql);
  stmt->bind(1, std::string_view(key));
  if (!stmt->step()) return std::nullopt;
  return stmt->column_int64(0);
}

Result<Json> SqliteTransaction::get(const EntitySchema& schema, std::int64_t id) {
  auto stmt = db_.prepare(schema_sql(schema)->select_by_id);
  stmt->bind(1, id);
  if (!stmt->step()) return Error::not_found(fmt::format("{} {} not found", schema.name, id));
  return decode_record(schema, *stmt);
}

Result<domain::Page> SqliteTransaction::list(const EntitySchema& schema,
                                             const domain::ListQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(ResolvedSort sort, resolve_sort(schema, query.sort));
  RELAIS_ASSIGN_OR_RETURN(CompiledSql sql, compile_list(schema, query, sort));
  if (!query.text_search.empty()) flush_fts();
  const auto limit = static_cast<std::size_t>(effective_limit(query.limit));
  auto stmt = db_.prepare(sql.sql);
  stmt->bind_all(sql.params);
  domain::Page page;
  while (stmt->step()) {
    if (page.items.size() == limit) {  // the extra row only says there is a next page
      page.next_cursor = cursor_for(sort, page.items.back());
      break;
    }
    page.items.push_back(decode_record(schema, *stmt));
  }
  return page;
}

Result<std::int64_t> SqliteTransaction::count(const EntitySchema& schema,
                                              const domain::ListQuery& query) {
  RELAIS_ASSIGN_OR_RETURN(CompiledSql sql, compile_count(schema, query));
  if (!query.text_search.empty()) flush_fts();
  auto stmt = db_.prepare(sql.sql);
  stmt->bind_all(sql.params);
  stmt->step();
  return stmt->column_int64(0);
}

Result<Json> SqliteTransaction::insert(const EntitySchema& schema, const Json& values) {
  if (!values.is_object()) return Error::bad_request("a record must be a JSON object");
  const SchemaSqlRef sql = schema_sql(schema);
  const std::string now = effective_time();
  std::vector<SqlValue> params;
  params.reserve(schema.fields.size());
  std::vector<SqlValue> fts_values;
  if (!sql->fts_fields.empty()) fts_values.reserve(sql->fts_fields.size() + 1);
  fts_values.emplace_back(std::int64_t{0});  // rowid, known after the insert
  // The stored record is built from the bound values (what SQLite keeps for these column
  // types), saving a SELECT and a JSON re-parse per insert.
  Json stored = Json::object();
  for (const auto& f : schema.fields) {
    if (f.name == "id") continue;
    SqlValue value;
    const auto it = values.find(f.name);
    const Json* given = nullptr;
    if (f.name == "version") {
      value = std::int64_t{1};
    } else if (f.name == "created_at" || f.name == "updated_at") {
      // A caller's own stamp (data migrations) must have the storage form, so that stamps
      // keep sorting as text; otherwise now.
      if (it == values.end() || it->is_null()) {
        value = now;
      } else if (it->is_string() &&
                 domain::is_storage_timestamp(it->get_ref<const std::string&>())) {
        value = it->get<std::string>();
      } else {
        return Error::field(f.name, "must look like 2026-11-25T14:03:07.123Z (UTC)");
      }
    } else {
      given = it != values.end() ? &*it : &f.default_value;
      RELAIS_ASSIGN_OR_RETURN(value, encode_field(f, *given));
    }
    if (f.searchable) fts_values.push_back(value);
    stored[f.name] = stored_value(f, value, given);
    params.push_back(std::move(value));
  }
  auto stmt = db_.prepare(sql->insert);
  stmt->bind_all(params);
  try {
    stmt->run();
  } catch (const SqliteError& e) {
    if (!e.is_constraint()) throw;
    return constraint_error(schema, e, values);
  }
  const std::int64_t id = db_.last_insert_rowid();
  if (schema.field("id") != nullptr) stored["id"] = id;
  if (!sql->fts_insert.empty()) {
    fts_values.front() = id;
    if (fts_ != nullptr) {
      fts_->add(sql->fts_insert, std::move(fts_values));
    } else {
      auto fts = db_.prepare(sql->fts_insert);
      fts->bind_all(fts_values);
      fts->run();
    }
  }
  return stored;
}

void SqliteTransaction::flush_fts() {
  if (fts_ != nullptr && fts_->pending()) fts_->flush(db_);
}

Result<Json> SqliteTransaction::update(const EntitySchema& schema, std::int64_t id,
                                       const Json& changes,
                                       std::optional<std::int64_t> expected_version) {
  if (!changes.is_object()) return Error::bad_request("changes must be a JSON object");
  flush_fts();  // the FTS update trigger deletes the indexed old values
  std::string sets;
  std::vector<SqlValue> params;
  for (const auto& [key, value] : changes.items()) {
    const auto* f = schema.field(key);
    if (f == nullptr || is_system_field(f->name)) continue;
    RELAIS_ASSIGN_OR_RETURN(SqlValue v, encode_field(*f, value));
    sets += quote_ident(f->name) + " = ?, ";
    params.push_back(std::move(v));
  }
  sets += "version = version + 1, updated_at = ?";
  params.emplace_back(effective_time());
  params.emplace_back(id);
  std::string where = "id = ?";
  if (expected_version) {
    where += " AND version = ?";
    params.emplace_back(*expected_version);
  }
  auto stmt = db_.prepare(
      fmt::format("UPDATE {} SET {} WHERE {}", quote_ident(schema.plural), sets, where));
  stmt->bind_all(params);
  try {
    stmt->run();
  } catch (const SqliteError& e) {
    if (!e.is_constraint()) throw;
    return constraint_error(schema, e, changes);
  }
  if (db_.changes() == 0) {
    auto current = db_.prepare(schema_sql(schema)->select_version);
    current->bind(1, id);
    if (!current->step()) return Error::not_found(fmt::format("{} {} not found", schema.name, id));
    return Error::conflict("version mismatch", Json{{"current_version", current->column_int64(0)}});
  }
  return get(schema, id);
}

Result<void> SqliteTransaction::remove(const EntitySchema& schema, std::int64_t id) {
  flush_fts();  // the FTS delete trigger (and cascades) remove indexed values
  auto stmt = db_.prepare(schema_sql(schema)->remove);
  stmt->bind(1, id);
  try {
    stmt->run();
  } catch (const SqliteError& e) {
    if (!e.is_foreign_key_violation()) throw;
    return Error::conflict(fmt::format("{} {} is still used by other records", schema.name, id));
  }
  if (db_.changes() == 0) return Error::not_found(fmt::format("{} {} not found", schema.name, id));
  return {};
}

Result<void> SqliteTransaction::set_contact_emails(std::int64_t contact_id,
                                                   const std::vector<std::string>& emails) {
  auto clear = db_.prepare("DELETE FROM contact_emails WHERE contact_id = ?");
  clear->bind(1, contact_id);
  clear->run();
  return add_contact_emails(contact_id, emails);
}

Result<void> SqliteTransaction::add_contact_emails(std::int64_t contact_id,
                                                   const std::vector<std::string>& emails) {
  for (const auto& raw : emails) {
    const std::string email = normalise_key(raw);
    if (email.empty()) continue;
    // Insert first and look the owner up only on a clash: one statement per new address.
    auto insert = db_.prepare("INSERT INTO contact_emails(email, contact_id) VALUES (?, ?)");
    insert->bind(1, std::string_view(email));
    insert->bind(2, contact_id);
    try {
      insert->run();
    } catch (const SqliteError& e) {
      if (e.is_foreign_key_violation()) {
        return Error::not_found(fmt::format("contact {} not found", contact_id));
      }
      if (!e.is_unique_violation()) throw;
      const auto owner = find_id("SELECT contact_id FROM contact_emails WHERE email = ?", email);
      if (owner && *owner == contact_id) continue;  // listed twice
      if (!owner) throw;
      Error err = Error::conflict(
          fmt::format("the e-mail address {} already belongs to contact {}", email, *owner),
          Json{{"existing_id", *owner}, {"email", email}});
      err.fields["emails"] = "already used by another contact";
      return err;
    }
  }
  return {};
}

std::optional<std::int64_t> SqliteTransaction::find_contact_by_email(const std::string& email) {
  return find_id("SELECT contact_id FROM contact_emails WHERE email = ?", normalise_key(email));
}

std::optional<std::int64_t> SqliteTransaction::find_company_by_domain(const std::string& domain) {
  const std::string key = normalise_key(domain);
  if (key.empty()) return std::nullopt;
  // Same expression and predicate as companies_domain_unique, so that index answers.
  return find_id(
      "SELECT id FROM companies WHERE lower(domain) = ? AND domain IS NOT NULL AND domain <> ''",
      key);
}

Result<void> SqliteTransaction::repoint_contact(std::int64_t from_contact,
                                                std::int64_t into_contact) {
  if (from_contact == into_contact) return Error::bad_request("cannot merge a contact into itself");
  flush_fts();
  // Every single reference to a contact, in every record type (activities, tasks, notes).
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    for (const domain::FieldDef& field : schema->fields) {
      if (field.type != domain::FieldType::kReference || field.references != "contact") continue;
      auto stmt = db_.prepare(
          fmt::format("UPDATE {0} SET {1} = ? WHERE {1} = ?", schema->plural, field.name));
      stmt->bind(1, into_contact);
      stmt->bind(2, from_contact);
      stmt->run();
    }
  }
  auto emails = db_.prepare("UPDATE contact_emails SET contact_id = ? WHERE contact_id = ?");
  emails->bind(1, into_contact);
  emails->bind(2, from_contact);
  emails->run();
  events_.move_contact(from_contact, into_contact);

  std::vector<std::pair<std::int64_t, Json>> deals;
  {
    auto find = db_.prepare(
        "SELECT id, contact_ids FROM deals WHERE contact_ids IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM json_each(deals.contact_ids) WHERE value = ?)");
    find->bind(1, from_contact);
    while (find->step()) {
      Json ids = Json::parse(find->column_text(1), nullptr, false);
      if (ids.is_array()) deals.emplace_back(find->column_int64(0), std::move(ids));
    }
  }
  const std::string now = effective_time();
  for (auto& [deal_id, ids] : deals) {
    Json merged = Json::array();
    for (const auto& v : ids) {
      const Json target = v == from_contact ? Json(into_contact) : v;
      if (std::find(merged.begin(), merged.end(), target) == merged.end()) merged.push_back(target);
    }
    auto update = db_.prepare(
        "UPDATE deals SET contact_ids = ?, version = version + 1, updated_at = ? WHERE id = ?");
    update->bind(1, std::string_view(merged.dump()));
    update->bind(2, std::string_view(now));
    update->bind(3, deal_id);
    update->run();
  }
  return {};
}

void SqliteTransaction::record_stage_change(std::int64_t deal_id, const std::string& from_stage,
                                            const std::string& to_stage,
                                            std::int64_t actor_user_id) {
  auto stmt = db_.prepare(
      "INSERT INTO deal_stage_changes(deal_id, from_stage, to_stage, at, actor_user_id) "
      "VALUES (?, ?, ?, ?, ?)");
  stmt->bind(1, deal_id);
  if (from_stage.empty()) {
    stmt->bind_null(2);
  } else {
    stmt->bind(2, std::string_view(from_stage));
  }
  stmt->bind(3, std::string_view(to_stage));
  stmt->bind(4, std::string_view(effective_time()));
  stmt->bind(5, actor_user_id);
  stmt->run();
}

void SqliteTransaction::record_audit(const domain::AuditEntry& entry) {
  auto stmt = db_.prepare(
      "INSERT INTO audit_log(at, actor_user_id, entity, record_id, action, before_json, "
      "after_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
  stmt->bind(1, std::string_view(trail_time()));
  stmt->bind(2, entry.actor_user_id);
  stmt->bind(3, std::string_view(entry.entity));
  stmt->bind(4, entry.record_id);
  stmt->bind(5, std::string_view(entry.action));
  bind_json_or_null(*stmt, 6, entry.before);
  bind_json_or_null(*stmt, 7, entry.after);
  stmt->run();
}

void SqliteTransaction::record_event(const domain::DomainEvent& event) {
  auto stmt = db_.prepare(
      "INSERT INTO outbox_events(at, type, entity, record_id, actor_user_id, payload_json) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  stmt->bind(1, std::string_view(trail_time()));
  stmt->bind(2, std::string_view(event.type));
  stmt->bind(3, std::string_view(event.entity));
  stmt->bind(4, event.record_id);
  stmt->bind(5, event.actor_user_id);
  stmt->bind(6, std::string_view(event.payload.is_null() ? "{}" : event.payload.dump()));
  stmt->run();
  if (signals_ != nullptr) signals_->add(domain::Topic::kOutbox);
}

Result<Json> SqliteTransaction::savepoint(const std::function<Result<Json>()>& step) {
  // Named by depth: SQLite savepoint names are a stack, and a unit's nested calls unwind in
  // order. The store's own "unit_of_work" savepoint, or a unit's own transaction when it is
  // alone in a write batch, encloses them all.
  const std::string name = "sp" + std::to_string(++savepoint_depth_);
  struct Depth {
    int& depth;
    ~Depth() { --depth; }
  } depth{savepoint_depth_};
  const FtsLog::Mark mark = fts_ != nullptr ? fts_->mark() : FtsLog::Mark{};
  db_.prepare("SAVEPOINT " + name)->run();
  auto undo = [&] {
    db_.prepare("ROLLBACK TO " + name)->run();
    db_.prepare("RELEASE " + name)->run();
    if (fts_ != nullptr) fts_->rollback_to(mark);
  };
  Result<Json> result = Error::internal();
  try {
    result = step();
  } catch (const SqliteError& e) {
    undo();
    if (e.is_constraint()) return error_from_constraint(e);
    throw;
  } catch (...) {
    undo();
    throw;
  }
  if (!result.ok()) {
    undo();
  } else {
    db_.prepare("RELEASE " + name)->run();
  }
  return result;
}

Result<void> SqliteTransaction::set_effective_time(std::optional<std::string> iso_utc) {
  if (iso_utc && !domain::is_storage_timestamp(*iso_utc)) {
    return Error::bad_request("an effective time must look like 2026-11-25T14:03:07.123Z (UTC)");
  }
  effective_time_ = std::move(iso_utc);
  return {};
}

std::string SqliteTransaction::effective_time() {
  return effective_time_ ? *effective_time_ : now_iso();
}

std::string SqliteTransaction::trail_time() {
  return effective_time_scope_ == domain::EffectiveTimeScope::kRecordsOnly ? now_iso()
                                                                           : effective_time();
}

std::optional<domain::UserCredentials> SqliteTransaction::find_credentials_by_email(
    const std::string& email) {
  auto stmt = db_.prepare("SELECT id, password_hash, active FROM users WHERE lower(email) = ?");
  stmt->bind(1, std::string_view(normalise_key(email)));
  if (!stmt->step()) return std::nullopt;
  domain::UserCredentials c;
  c.user_id = stmt->column_int64(0);
  c.password_hash = stmt->column_text(1);
  c.active = stmt->column_int64(2) != 0;
  return c;
}

Result<void> SqliteTransaction::set_password_hash(std::int64_t user_id, const std::string& hash) {
  auto stmt = db_.prepare("UPDATE users SET password_hash = ? WHERE id = ?");
  stmt->bind(1, std::string_view(hash));
  stmt->bind(2, user_id);
  stmt->run();
  if (db_.changes() == 0) return Error::not_found(fmt::format("user {} not found", user_id));
  return {};
}

Result<void> SqliteTransaction::insert_session(const std::string& token_hash,
                                               const domain::SessionRecord& s) {
  auto stmt = db_.prepare(
      "INSERT INTO sessions(token_hash, user_id, kind, csrf_token, created_at, expires_at, name, "
      "last_seen_at, scopes, parent_token_hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''))");
  stmt->bind(1, std::string_view(token_hash));
  stmt->bind(2, s.user_id);
  stmt->bind(3, std::string_view(s.kind));
  stmt->bind(4, std::string_view(s.csrf_token));
  stmt->bind(5, std::string_view(now_iso()));
  stmt->bind(6, s.expires_at_ms);
  stmt->bind(7, std::string_view(s.name));
  stmt->bind(8, s.last_seen_at_ms);
  stmt->bind(9, std::string_view(s.scopes));
  stmt->bind(10, std::string_view(s.parent_token_hash));
  try {
    stmt->run();
  } catch (const SqliteError& e) {
    if (e.is_foreign_key_violation()) {
      return Error::not_found(fmt::format("user {} not found", s.user_id));
    }
    if (e.is_unique_violation()) return Error::conflict("session token already exists");
    throw;
  }
  return {};
}

std::optional<domain::SessionRecord> SqliteTransaction::find_session(
    const std::string& token_hash) {
  auto stmt = db_.prepare(
      "SELECT user_id, kind, expires_at, csrf_token, name, last_seen_at, scopes, "
      "parent_token_hash FROM sessions WHERE token_hash = ?");
  stmt->bind(1, std::string_view(token_hash));
  if (!stmt->step()) return std::nullopt;
  domain::SessionRecord s;
  s.user_id = stmt->column_int64(0);
  s.kind = stmt->column_text(1);
  s.expires_at_ms = stmt->column_int64(2);
  s.csrf_token = stmt->column_text(3);
  s.name = stmt->column_text(4);
  s.last_seen_at_ms = stmt->column_int64(5);
  s.scopes = stmt->is_null(6) ? std::string() : stmt->column_text(6);
  s.parent_token_hash = stmt->is_null(7) ? std::string() : stmt->column_text(7);
  return s;
}

Result<void> SqliteTransaction::delete_session(const std::string& token_hash) {
  auto stmt = db_.prepare("DELETE FROM sessions WHERE token_hash = ?");
  stmt->bind(1, std::string_view(token_hash));
  stmt->run();
  return {};
}

Result<int> SqliteTransaction::delete_sessions_of_user(std::int64_t user_id,
                                                       const std::string& except_token_hash) {
  // The kept token must not go down with its parent (ON DELETE CASCADE): detach it first.
  if (!except_token_hash.empty()) {
    auto detach = db_.prepare(
        "UPDATE sessions SET parent_token_hash = NULL WHERE token_hash = ? AND user_id = ?");
    detach->bind(1, std::string_view(except_token_hash));
    detach->bind(2, user_id);
    detach->run();
  }
  // Uses the sessions_user_id index; an empty exception matches no stored hash.
  auto stmt = db_.prepare("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?");
  stmt->bind(1, user_id);
  stmt->bind(2, std::string_view(except_token_hash));
  stmt->run();
  return db_.changes();
}

Result<void> SqliteTransaction::touch_session(const std::string& token_hash,
                                              std::int64_t seen_at_ms) {
  auto stmt = db_.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?");
  stmt->bind(1, seen_at_ms);
  stmt->bind(2, std::string_view(token_hash));
  stmt->run();
  return {};
}

std::optional<domain::LoginThrottleCount> SqliteTransaction::find_login_throttle(
    const std::string& key) {
  auto stmt = db_.prepare("SELECT failures, last_failure_at FROM login_throttle WHERE key = ?");
  stmt->bind(1, std::string_view(key));
  if (!stmt->step()) return std::nullopt;
  return domain::LoginThrottleCount{static_cast<int>(stmt->column_int64(0)), stmt->column_int64(1)};
}

Result<void> SqliteTransaction::put_login_throttle(const std::string& key,
                                                   const domain::LoginThrottleCount& count) {
  auto stmt = db_.prepare(
      "INSERT INTO login_throttle(key, failures, last_failure_at) VALUES (?, ?, ?) "
      "ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, "
      "last_failure_at = excluded.last_failure_at");
  stmt->bind(1, std::string_view(key));
  stmt->bind(2, static_cast<std::int64_t>(count.failures));
  stmt->bind(3, count.last_failure_at_ms);
  stmt->run();
  return {};
}

Result<void> SqliteTransaction::delete_login_throttle(const std::string& key) {
  auto stmt = db_.prepare("DELETE FROM login_throttle WHERE key = ?");
  stmt->bind(1, std::string_view(key));
  stmt->run();
  return {};
}

Result<int> SqliteTransaction::prune_login_throttle(std::int64_t before_ms) {
  auto stmt = db_.prepare("DELETE FROM login_throttle WHERE last_failure_at < ?");
  stmt->bind(1, before_ms);
  stmt->run();
  return db_.changes();
}

}  // namespace relais::storage::sqlite
