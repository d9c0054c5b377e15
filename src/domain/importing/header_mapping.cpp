#include "domain/importing/header_mapping.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "domain/importing/text_fold.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::domain::importing {
namespace {

using Synonyms = std::vector<std::pair<const char*, std::vector<const char*>>>;

// Folded header → field. Matching is exact on the folded text, so every spelling a user
// might produce needs its folded form listed here (or a --map override).
const Synonyms& common_address_synonyms() {
  static const Synonyms s = {
      {"address", {"address", "adresse", "adresse postale", "street", "rue", "adresse 1"}},
      {"city", {"city", "ville", "commune", "town"}},
      {"postcode",
       {"postcode", "postal code", "post code", "zip", "zip code", "code postal", "cp"}},
      {"country", {"country", "pays"}},
      {"tags", {"tags", "tag", "etiquettes", "etiquette", "labels", "mots cles"}},
  };
  return s;
}

// When the record was created in the system the data comes from (kept on migration).
const Synonyms& history_synonyms() {
  static const Synonyms s = {
      {"created_at",
       {"created at", "created", "creation date", "create date", "date created", "date added",
        "date de creation", "cree le", "creee le", "date d ajout", "ajoute le", "date creation"}},
  };
  return s;
}

const Synonyms& owner_synonyms() {
  static const Synonyms s = {
      {"owner_email",
       {"owner", "owner email", "proprietaire", "email du proprietaire", "responsable",
        "commercial"}},
      {"owner_id", {"owner id"}},
      {"team_id", {"team id", "equipe id"}},
  };
  return s;
}

const Synonyms& contact_synonyms() {
  static const Synonyms s = {
      {"first_name", {"first name", "firstname", "prenom", "given name"}},
      {"last_name", {"last name", "lastname", "nom", "nom de famille", "surname", "family name"}},
      {"email",
       {"email", "e mail", "emails", "e mails", "courriel", "mail", "adresse e mail",
        "adresse email", "adresse mail", "email address", "e mail address", "adresse courriel"}},
      {"phone",
       {"phone", "phones", "telephone", "telephones", "tel", "phone number", "numero de telephone",
        "telephone fixe", "telephone professionnel", "telephone pro"}},
      {"mobile",
       {"mobile", "portable", "telephone mobile", "telephone portable", "mobile phone", "cell",
        "gsm"}},
      {"title", {"title", "job title", "fonction", "poste", "intitule de poste", "titre"}},
      {"company",
       {"company", "company name", "societe", "entreprise", "organisation", "organization",
        "raison sociale", "compte"}},
      {"company_id", {"company id"}},
      {"lifecycle_stage",
       {"lifecycle stage", "lifecycle", "cycle de vie", "etape du cycle de vie", "statut"}},
      {"source", {"source", "origine", "lead source", "source du contact"}},
  };
  return s;
}

const Synonyms& company_synonyms() {
  static const Synonyms s = {
      {"name",
       {"name", "company", "company name", "nom", "societe", "entreprise", "raison sociale",
        "nom de l entreprise", "nom de la societe", "organisation"}},
      {"domain",
       {"domain", "domaine", "website", "web site", "site web", "site internet", "url", "site"}},
      {"industry", {"industry", "secteur", "secteur d activite", "activite"}},
      {"size", {"size", "taille", "effectif", "effectifs", "employees", "nombre de salaries"}},
      {"phone", {"phone", "telephone", "tel", "standard"}},
  };
  return s;
}

const Synonyms& deal_synonyms() {
  static const Synonyms s = {
      {"title",
       {"title", "name", "deal", "deal name", "titre", "nom", "opportunite", "affaire", "intitule",
        "nom de l opportunite"}},
      {"amount", {"amount", "montant", "value", "valeur", "montant ht", "deal amount"}},
      {"currency", {"currency", "devise"}},
      {"pipeline", {"pipeline"}},
      {"stage", {"stage", "etape", "deal stage", "phase", "stage id"}},
      {"probability", {"probability", "probabilite"}},
      {"expected_close_date",
       {"expected close date", "close date", "closing date", "date de cloture prevue",
        "date de cloture", "cloture prevue"}},
      {"company", {"company", "societe", "entreprise", "compte", "company name"}},
      {"company_id", {"company id"}},
      {"contact_email",
       {"contact", "contact email", "email", "e mail", "email du contact", "e mail du contact",
        "courriel"}},
      {"lost_reason", {"lost reason", "motif de perte"}},
  };
  return s;
}

// Fields that may receive several columns (values are appended).
bool is_multi_valued(std::string_view field) {
  return field == "email" || field == "phone" || field == "mobile" || field == "tags" ||
         field == "contact_email";
}

std::vector<const Synonyms*> tables(ImportKind kind) {
  switch (kind) {
    case ImportKind::kContacts:
      return {&contact_synonyms(), &common_address_synonyms(), &owner_synonyms(),
              &history_synonyms()};
    case ImportKind::kCompanies:
      return {&company_synonyms(), &common_address_synonyms(), &owner_synonyms(),
              &history_synonyms()};
    case ImportKind::kDeals:
      return {&deal_synonyms(), &owner_synonyms(), &history_synonyms()};
  }
  return {};
}

std::string lookup(ImportKind kind, const std::string& folded) {
  for (const Synonyms* table : tables(kind)) {
    for (const auto& [field, names] : *table) {
      // The field's own name (e.g. "first_name" folds to "first name") always matches.
      if (fold_label(field) == folded) return field;
      for (const char* name : names) {
        if (folded == name) return field;
      }
    }
  }
  return "";
}

}  // namespace

bool parse_import_kind(std::string_view plural, ImportKind& kind) {
  if (plural == "contacts") {
    kind = ImportKind::kContacts;
  } else if (plural == "companies") {
    kind = ImportKind::kCompanies;
  } else if (plural == "deals") {
    kind = ImportKind::kDeals;
  } else {
    return false;
  }
  return true;
}

const char* import_kind_plural(ImportKind kind) {
  switch (kind) {
    case ImportKind::kContacts:
      return "contacts";
    case ImportKind::kCompanies:
      return "companies";
    case ImportKind::kDeals:
      return "deals";
  }
  return "contacts";
}

std::vector<std::string> import_fields(ImportKind kind) {
  std::vector<std::string> fields;
  for (const Synonyms* table : tables(kind)) {
    for (const auto& entry : *table) fields.emplace_back(entry.first);
  }
  return fields;
}

const std::vector<ImportKind>& import_kinds() {
  static const std::vector<ImportKind> kinds = {ImportKind::kContacts, ImportKind::kCompanies,
                                                ImportKind::kDeals};
  return kinds;
}

std::vector<ImportFieldInfo> describe_import_fields(ImportKind kind) {
  // Labels of the fields the importer resolves itself (not schema fields).
  static const std::map<std::string, std::pair<const char*, const char*>, std::less<>> own = {
      {"email", {"E-mail", "E-mail"}},
      {"phone", {"Phone", "Téléphone"}},
      {"mobile", {"Mobile", "Portable"}},
      {"company", {"Company (name)", "Entreprise (nom)"}},
      {"pipeline", {"Pipeline (name)", "Pipeline (nom)"}},
      {"stage", {"Stage", "Étape"}},
      {"contact_email", {"Contact (e-mail)", "Contact (e-mail)"}},
      {"owner_email", {"Owner (e-mail)", "Propriétaire (e-mail)"}},
  };
  const EntitySchema* schema = find_schema(import_kind_plural(kind));
  std::vector<ImportFieldInfo> out;
  for (const Synonyms* table : tables(kind)) {
    for (const auto& [field, names] : *table) {
      ImportFieldInfo info{field, field, field, {fold_label(field)}};
      if (const auto it = own.find(field); it != own.end()) {
        info.label_en = it->second.first;
        info.label_fr = it->second.second;
      } else if (const FieldDef* def = schema != nullptr ? schema->field(field) : nullptr) {
        info.label_en = def->label_en;
        info.label_fr = def->label_fr;
      }
      for (const char* name : names) {
        if (name != info.synonyms.front()) info.synonyms.emplace_back(name);
      }
      out.push_back(std::move(info));
    }
  }
  return out;
}

bool parse_mapping_override(std::string_view text, std::string& column, std::string& field) {
  std::size_t eq = text.rfind('=');
  if (eq == std::string_view::npos) eq = text.rfind(':');
  if (eq == std::string_view::npos || eq == 0) return false;
  column = std::string(text.substr(0, eq));
  field = std::string(text.substr(eq + 1));
  return true;
}

Result<ColumnMapping> map_columns(ImportKind kind, const std::vector<std::string>& headers,
                                  const std::map<std::string, std::string>& overrides,
                                  const std::vector<CustomFieldColumn>& custom_fields) {
  std::vector<std::string> known = import_fields(kind);
  for (const auto& custom : custom_fields) known.push_back("custom." + custom.key);
  // A built-in field's synonym wins over a custom field of the same name.
  auto lookup_with_custom = [&](const std::string& folded_header) {
    std::string field = lookup(kind, folded_header);
    if (!field.empty()) return field;
    for (const auto& custom : custom_fields) {
      if (fold_label(custom.key) == folded_header || fold_label(custom.label) == folded_header) {
        return "custom." + custom.key;
      }
    }
    return field;
  };
  ColumnMapping mapping;
  mapping.fields.resize(headers.size());
  std::vector<std::string> folded(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) folded[i] = fold_label(headers[i]);

  std::vector<bool> overridden(headers.size(), false);
  for (const auto& [column, field] : overrides) {
    std::string wanted = fold_label(column);
    bool found = false;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      if (headers[i] != column && folded[i] != wanted) continue;
      found = true;
      if (field.empty() || field == "ignore" || field == "-") {
        mapping.fields[i] = "";
      } else if (std::find(known.begin(), known.end(), field) != known.end()) {
        mapping.fields[i] = field;
      } else {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        return Error::validation("--map " + column + "=" + field + ": unknown field '" + field +
                                     "' (known: " + list + ")",
                                 {{"map", "unknown field " + field}});
      }
      overridden[i] = true;
    }
    if (!found) {
      return Error::validation(
          "--map " + column + "=" + field + ": no column named '" + column + "' in the file",
          {{"map", "unknown column " + column}});
    }
  }

  std::set<std::string> taken;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (overridden[i]) {
      if (!mapping.fields[i].empty()) taken.insert(mapping.fields[i]);
      continue;
    }
    mapping.fields[i] = lookup_with_custom(folded[i]);
  }
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::string& field = mapping.fields[i];
    if (field.empty()) {
      if (!overridden[i] && !headers[i].empty()) mapping.unmapped.push_back(headers[i]);
      continue;
    }
    if (!overridden[i] && !is_multi_valued(field) && taken.count(field)) {
      // A second column for a single-valued field: keep the first, report this one.
      mapping.fields[i] = "";
      mapping.unmapped.push_back(headers[i]);
      continue;
    }
    taken.insert(field);
    mapping.by_header[headers[i]] = field;
  }
  return mapping;
}

}  // namespace relais::domain::importing
