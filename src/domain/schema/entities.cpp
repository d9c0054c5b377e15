// The built-in record types. Changing a field here requires a migration with one number on
// both engines (storage/sqlite/migrations, storage/postgres/migrations) and its columns in
// storage/transfer_tables.cpp; SqliteEngineTest.MigrationMatchesEveryEntitySchema and the
// TransferTables tests check that they agree.
#include <initializer_list>

#include "domain/schema/entity_schema.hpp"

namespace relais::domain {
namespace {

FieldDef f(std::string name, FieldType type, std::string en, std::string fr) {
  FieldDef d;
  d.name = std::move(name);
  d.type = type;
  d.label_en = std::move(en);
  d.label_fr = std::move(fr);
  return d;
}
FieldDef required(FieldDef d) {
  d.required = true;
  return d;
}
FieldDef searchable(FieldDef d) {
  d.searchable = true;
  return d;
}
FieldDef read_only(FieldDef d) {
  d.read_only = true;
  return d;
}
FieldDef with_default(FieldDef d, Json value) {
  d.default_value = std::move(value);
  return d;
}
FieldDef enumeration(std::string name, std::vector<std::string> values, std::string en,
                     std::string fr) {
  FieldDef d = f(std::move(name), FieldType::kEnum, std::move(en), std::move(fr));
  d.enum_values = std::move(values);
  return d;
}
FieldDef ref(std::string name, std::string entity, std::string en, std::string fr) {
  FieldDef d = f(std::move(name), FieldType::kReference, std::move(en), std::move(fr));
  d.references = std::move(entity);
  return d;
}
FieldDef long_text(std::string name, std::string en, std::string fr) {
  FieldDef d = f(std::move(name), FieldType::kText, std::move(en), std::move(fr));
  d.max_length = 100000;
  d.text_format = TextFormat::kMultiline;
  return d;
}
FieldDef multiline(FieldDef d) {
  d.text_format = TextFormat::kMultiline;
  return d;
}
// Array fields: at most `items` entries of at most `bytes` each (text lists).
FieldDef at_most(FieldDef d, std::size_t items, std::size_t bytes = 1000) {
  d.max_items = items;
  d.max_length = bytes;
  return d;
}
FieldDef max_bytes(FieldDef d, std::size_t bytes) {
  d.max_length = bytes;
  return d;
}
FieldDef time_zone(std::string name, std::string en, std::string fr) {
  FieldDef d = f(std::move(name), FieldType::kText, std::move(en), std::move(fr));
  d.text_format = TextFormat::kTimeZone;
  d.max_length = 64;
  return d;
}

// Shared limits: an e-mail address is at most 254 bytes (RFC 5321 path limit), a phone
// number with its extension fits in 64.
constexpr std::size_t kMaxEmails = 50;
constexpr std::size_t kMaxEmailBytes = 254;
constexpr std::size_t kMaxPhones = 50;
constexpr std::size_t kMaxPhoneBytes = 64;
constexpr std::size_t kMaxTags = 100;
constexpr std::size_t kMaxTagBytes = 100;

// id, version, created_at, updated_at: every record has them.
std::vector<FieldDef> with_system_fields(std::initializer_list<FieldDef> own) {
  std::vector<FieldDef> fields;
  fields.push_back(read_only(f("id", FieldType::kInteger, "ID", "ID")));
  fields.insert(fields.end(), own.begin(), own.end());
  fields.push_back(read_only(f("version", FieldType::kInteger, "Version", "Version")));
  fields.push_back(read_only(f("created_at", FieldType::kDateTime, "Created", "Créé le")));
  fields.push_back(read_only(f("updated_at", FieldType::kDateTime, "Updated", "Modifié le")));
  return fields;
}

FieldDef owner() { return ref("owner_id", "user", "Owner", "Propriétaire"); }
FieldDef team() { return ref("team_id", "team", "Team", "Équipe"); }
FieldDef custom() {
  return f("custom", FieldType::kObject, "Custom fields", "Champs personnalisés");
}

EntitySchema make_contact() {
  EntitySchema schema{
      "contact", "contacts",
      with_system_fields({
          searchable(f("first_name", FieldType::kText, "First name", "Prénom")),
          searchable(f("last_name", FieldType::kText, "Last name", "Nom")),
          at_most(searchable(f("emails", FieldType::kTextList, "E-mails", "E-mails")), kMaxEmails,
                  kMaxEmailBytes),
          at_most(searchable(f("phones", FieldType::kTextList, "Phones", "Téléphones")), kMaxPhones,
                  kMaxPhoneBytes),
          f("title", FieldType::kText, "Job title", "Fonction"),
          ref("company_id", "company", "Company", "Entreprise"),
          multiline(f("address", FieldType::kText, "Address", "Adresse")),
          searchable(f("city", FieldType::kText, "City", "Ville")),
          f("postcode", FieldType::kText, "Postcode", "Code postal"),
          f("country", FieldType::kText, "Country", "Pays"),
          at_most(f("tags", FieldType::kTextList, "Tags", "Étiquettes"), kMaxTags, kMaxTagBytes),
          with_default(enumeration("lifecycle_stage",
                                   {"subscriber", "lead", "mql", "sql", "opportunity", "customer",
                                    "evangelist", "other"},
                                   "Lifecycle stage", "Cycle de vie"),
                       "lead"),
          f("source", FieldType::kText, "Source", "Source"),
          owner(),
          team(),
          with_default(read_only(f("score", FieldType::kInteger, "Score", "Score")), 0),
          custom(),
      }),
      true};
  schema.access = AccessPolicy::kCrm;
  schema.has_timeline = true;
  schema.exportable = true;
  return schema;
}

EntitySchema make_company() {
  EntitySchema schema{
      "company", "companies",
      with_system_fields({
          required(searchable(f("name", FieldType::kText, "Name", "Nom"))),
          searchable(f("domain", FieldType::kText, "Domain", "Domaine")),
          f("industry", FieldType::kText, "Industry", "Secteur"),
          enumeration("size", {"1-10", "11-50", "51-200", "201-500", "501-1000", "1000+"}, "Size",
                      "Taille"),
          max_bytes(f("phone", FieldType::kText, "Phone", "Téléphone"), kMaxPhoneBytes),
          multiline(f("address", FieldType::kText, "Address", "Adresse")),
          searchable(f("city", FieldType::kText, "City", "Ville")),
          f("postcode", FieldType::kText, "Postcode", "Code postal"),
          f("country", FieldType::kText, "Country", "Pays"),
          at_most(f("tags", FieldType::kTextList, "Tags", "Étiquettes"), kMaxTags, kMaxTagBytes),
          owner(),
          team(),
          custom(),
      }),
      true};
  schema.access = AccessPolicy::kCrm;
  schema.has_timeline = true;
  schema.exportable = true;
  schema.unique_keys = {{"domain"}};
  return schema;
}

EntitySchema make_pipeline() {
  // stages: [{"id": "qualification", "name": "...", "probability": 10, "kind": "open"}, ...]
  EntitySchema schema{
      "pipeline", "pipelines",
      with_system_fields({
          required(f("name", FieldType::kText, "Name", "Nom")),
          required(at_most(f("stages", FieldType::kList, "Stages", "Étapes"), 50)),
          with_default(f("is_default", FieldType::kBoolean, "Default", "Par défaut"), false),
      }),
      false};
  schema.access = AccessPolicy::kConfiguration;
  return schema;
}

EntitySchema make_deal() {
  FieldDef probability = f("probability", FieldType::kInteger, "Probability", "Probabilité");
  FieldDef contact_ids = f("contact_ids", FieldType::kReferenceList, "Contacts", "Contacts");
  contact_ids.references = "contact";
  contact_ids.max_items = 100;
  EntitySchema schema{
      "deal", "deals",
      with_system_fields({
          required(searchable(f("title", FieldType::kText, "Title", "Titre"))),
          with_default(f("amount", FieldType::kMoney, "Amount", "Montant"), 0),
          with_default(f("currency", FieldType::kCurrency, "Currency", "Devise"), "EUR"),
          required(ref("pipeline_id", "pipeline", "Pipeline", "Pipeline")),
          f("stage_id", FieldType::kText, "Stage", "Étape"),
          probability,
          f("expected_close_date", FieldType::kDate, "Expected close date",
            "Date de clôture prévue"),
          owner(),
          team(),
          contact_ids,
          ref("company_id", "company", "Company", "Entreprise"),
          with_default(
              read_only(enumeration("status", {"open", "won", "lost"}, "Status", "Statut")),
              "open"),
          f("lost_reason", FieldType::kText, "Lost reason", "Motif de perte"),
          read_only(
              f("stage_changed_at", FieldType::kDateTime, "Stage changed", "Changement d'étape")),
          read_only(f("closed_at", FieldType::kDateTime, "Closed", "Clôturée le")),
          custom(),
      }),
      true};
  schema.access = AccessPolicy::kDeal;
  schema.has_timeline = true;
  schema.exportable = true;
  return schema;
}

EntitySchema make_activity() {
  EntitySchema schema{
      "activity", "activities",
      with_system_fields({
          required(enumeration("type", {"call", "email", "meeting", "note"}, "Type", "Type")),
          searchable(f("subject", FieldType::kText, "Subject", "Objet")),
          long_text("body", "Details", "Détails"),
          f("occurred_at", FieldType::kDateTime, "Date", "Date"),
          f("duration_minutes", FieldType::kInteger, "Duration (min)", "Durée (min)"),
          f("outcome", FieldType::kText, "Outcome", "Résultat"),
          ref("contact_id", "contact", "Contact", "Contact"),
          ref("company_id", "company", "Company", "Entreprise"),
          ref("deal_id", "deal", "Deal", "Opportunité"),
          owner(),
          team(),
      }),
      true};
  schema.access = AccessPolicy::kEngagement;
  schema.on_timeline = TimelineEntry{
      4,
      "occurred_at",
      {"type", "subject", "body", "outcome", "duration_minutes", "occurred_at", "owner_id"}};
  schema.exportable = true;
  return schema;
}

EntitySchema make_task() {
  EntitySchema schema{
      "task", "tasks",
      with_system_fields({
          required(searchable(f("title", FieldType::kText, "Title", "Titre"))),
          long_text("description", "Description", "Description"),
          f("due_date", FieldType::kDate, "Due date", "Échéance"),
          ref("assignee_id", "user", "Assignee", "Responsable"),
          with_default(
              enumeration("priority", {"low", "normal", "high", "urgent"}, "Priority", "Priorité"),
              "normal"),
          with_default(enumeration("status", {"open", "done", "cancelled"}, "Status", "Statut"),
                       "open"),
          read_only(f("completed_at", FieldType::kDateTime, "Completed", "Terminée le")),
          ref("contact_id", "contact", "Contact", "Contact"),
          ref("company_id", "company", "Company", "Entreprise"),
          ref("deal_id", "deal", "Deal", "Opportunité"),
          owner(),
          team(),
      }),
      true};
  schema.access = AccessPolicy::kEngagement;
  schema.on_timeline = TimelineEntry{
      2, "", {"title", "status", "priority", "due_date", "completed_at", "assignee_id"}};
  schema.exportable = true;
  return schema;
}

EntitySchema make_note() {
  EntitySchema schema{
      "note", "notes",
      with_system_fields({
          required(searchable(long_text("body", "Note", "Note"))),
          ref("contact_id", "contact", "Contact", "Contact"),
          ref("company_id", "company", "Company", "Entreprise"),
          ref("deal_id", "deal", "Deal", "Opportunité"),
          with_default(f("pinned", FieldType::kBoolean, "Pinned", "Épinglée"), false),
          owner(),
          team(),
      }),
      true};
  schema.access = AccessPolicy::kEngagement;
  schema.on_timeline = TimelineEntry{3, "", {"body", "pinned", "owner_id"}};
  return schema;
}

EntitySchema make_user() {
  EntitySchema schema{
      "user", "users",
      with_system_fields({
          required(searchable(
              max_bytes(f("email", FieldType::kText, "E-mail", "E-mail"), kMaxEmailBytes))),
          searchable(f("name", FieldType::kText, "Name", "Nom")),
          required(enumeration("role",
                               {"admin", "manager", "sales", "marketing", "support", "readonly"},
                               "Role", "Rôle")),
          team(),
          with_default(enumeration("locale", {"fr", "en"}, "Language", "Langue"), "fr"),
          with_default(time_zone("time_zone", "Time zone", "Fuseau horaire"), "Europe/Paris"),
          with_default(f("active", FieldType::kBoolean, "Active", "Actif"), true),
      }),
      false};
  schema.access = AccessPolicy::kDirectory;
  schema.self_scope = SelfScope::kActorUser;
  schema.unique_keys = {{"email"}};
  return schema;
}

EntitySchema make_team() {
  EntitySchema schema{"team", "teams",
                      with_system_fields({
                          required(searchable(f("name", FieldType::kText, "Name", "Nom"))),
                      }),
                      false};
  schema.access = AccessPolicy::kDirectory;
  schema.self_scope = SelfScope::kActorTeam;
  return schema;
}

EntitySchema make_custom_field() {
  EntitySchema schema{
      "custom_field", "custom_fields",
      with_system_fields({
          required(enumeration("entity", {"contact", "company", "deal"}, "Record type",
                               "Type d'enregistrement")),
          required(f("key", FieldType::kText, "Key", "Clé")),
          required(f("label", FieldType::kText, "Label", "Libellé")),
          required(enumeration("type", {"text", "number", "date", "enum", "boolean", "money"},
                               "Type", "Type")),
          at_most(f("options", FieldType::kTextList, "Options", "Options"), 200, 200),
          with_default(f("required", FieldType::kBoolean, "Required", "Obligatoire"), false),
      }),
      false};
  schema.access = AccessPolicy::kConfiguration;
  schema.unique_keys = {{"entity", "key"}};
  return schema;
}

}  // namespace

const FieldDef* EntitySchema::field(std::string_view wanted) const {
  for (const auto& d : fields) {
    if (d.name == wanted) return &d;
  }
  return nullptr;
}

const FieldDef* timeline_link_field(const EntitySchema& child, const EntitySchema& parent) {
  if (!child.on_timeline || !parent.has_timeline) return nullptr;
  const FieldDef* link = child.field(parent.name + "_id");
  if (link == nullptr || link->type != FieldType::kReference || link->references != parent.name) {
    return nullptr;
  }
  return link;
}

const char* field_type_name(FieldType type) {
  switch (type) {
    case FieldType::kText:
      return "text";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kMoney:
      return "money";
    case FieldType::kCurrency:
      return "currency";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "datetime";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kTextList:
      return "text_list";
    case FieldType::kReference:
      return "reference";
    case FieldType::kReferenceList:
      return "reference_list";
    case FieldType::kObject:
      return "object";
    case FieldType::kList:
      return "list";
  }
  return "text";
}

#define RELAIS_SCHEMA(fn, maker)                \
  const EntitySchema& fn() {                    \
    static const EntitySchema schema = maker(); \
    return schema;                              \
  }
RELAIS_SCHEMA(contact_schema, make_contact)
RELAIS_SCHEMA(company_schema, make_company)
RELAIS_SCHEMA(pipeline_schema, make_pipeline)
RELAIS_SCHEMA(deal_schema, make_deal)
RELAIS_SCHEMA(activity_schema, make_activity)
RELAIS_SCHEMA(task_schema, make_task)
RELAIS_SCHEMA(note_schema, make_note)
RELAIS_SCHEMA(user_schema, make_user)
RELAIS_SCHEMA(team_schema, make_team)
RELAIS_SCHEMA(custom_field_schema, make_custom_field)
#undef RELAIS_SCHEMA

const std::vector<const EntitySchema*>& all_schemas() {
  static const std::vector<const EntitySchema*> all = {
      &contact_schema(),  &company_schema(),     &pipeline_schema(), &deal_schema(),
      &activity_schema(), &task_schema(),        &note_schema(),     &user_schema(),
      &team_schema(),     &custom_field_schema()};
  return all;
}

const EntitySchema* find_schema(std::string_view name) {
  for (const auto* s : all_schemas()) {
    if (s->name == name || s->plural == name) return s;
  }
  return nullptr;
}

}  // namespace relais::domain
