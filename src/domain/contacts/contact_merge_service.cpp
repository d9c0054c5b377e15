// Merging duplicates: `from` disappears into `into` in one write unit of work, so either the
// whole merge (field union, repointed references, deletion, audit, events) happens or none.
#include "domain/contacts/contact_merge_service.hpp"

#include <algorithm>

#include "domain/auth/permissions.hpp"
#include "domain/records/record_service.hpp"

namespace relais::domain {
namespace {

bool is_blank(const Json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         ((v.is_array() || v.is_object()) && v.empty());
}

Json union_of(const Json& a, const Json& b) {
  Json out = a.is_array() ? a : Json::array();
  if (!b.is_array()) return out;
  for (const auto& v : b) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

// The patch that makes `into` the merged contact: list unions, empty fields filled.
Json merge_patch(const Json& into, const Json& from) {
  Json patch = Json::object();
  for (const auto& field : contact_schema().fields) {
    if (field.read_only) continue;
    const Json mine = into.value(field.name, Json());
    const Json theirs = from.value(field.name, Json());
    if (field.type == FieldType::kTextList) {
      Json merged = union_of(mine, theirs);
      if (merged != mine) patch[field.name] = std::move(merged);
    } else if (field.type == FieldType::kObject && mine.is_object() && theirs.is_object()) {
      Json merged = mine;
      for (const auto& [k, v] : theirs.items()) {
        if (!merged.contains(k) || is_blank(merged[k])) merged[k] = v;
      }
      if (merged != mine) patch[field.name] = std::move(merged);
    } else if (is_blank(mine) && !is_blank(theirs)) {
      patch[field.name] = theirs;
    }
  }
  return patch;
}

}  // namespace

ContactMergeService::ContactMergeService(Store& store, RecordService& contacts)
    : store_(store), contacts_(contacts) {}

Result<Json> ContactMergeService::merge(const Actor& actor, std::int64_t into_id,
                                        std::int64_t from_id) {
  if (into_id == from_id) {
    return Error::validation("a contact cannot be merged into itself",
                             {{"from_id", "must differ from the contact merged into"}});
  }
  const EntitySchema& schema = contact_schema();
  return store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json into, tx.get(schema, into_id));
    RELAIS_ASSIGN_OR_RETURN(Json from, tx.get(schema, from_id));
    for (const Json* c : {&into, &from}) {
      const std::string id = c->value("id", Json()).dump();
      if (!can_read(actor, schema, *c)) return Error::not_found("contact " + id + " not found");
      if (!can_write(actor, schema, *c)) {
        return Error::forbidden("you are not allowed to change contact " + id);
      }
    }
    // Free from's addresses first so `into` may take them over without a uniqueness clash.
    RELAIS_TRY(tx.set_contact_emails(from_id, {}));
    RELAIS_TRY(tx.repoint_contact(from_id, into_id));
    RELAIS_TRY(tx.remove(schema, from_id));
    Json merged = into;
    if (Json patch = merge_patch(into, from); !patch.empty()) {
      RELAIS_ASSIGN_OR_RETURN(merged, contacts_.update_in(tx, actor, into_id, patch, std::nullopt));
    }
    tx.record_audit(AuditEntry{
        actor.user_id, schema.name, into_id, "merge", {{"merged_contact", from}}, merged});
    tx.record_event(DomainEvent{"contact.merged",
                                schema.name,
                                into_id,
                                actor.user_id,
                                {{"into_id", into_id}, {"from_id", from_id}}});
    tx.record_event(DomainEvent{"contact.deleted",
                                schema.name,
                                from_id,
                                actor.user_id,
                                {{"record", from}, {"merged_into", into_id}}});
    return merged;
  });
}

}  // namespace relais::domain
