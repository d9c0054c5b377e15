#include "domain/demo/demo_loader.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "domain/pipelines/pipeline_stages.hpp"
#include "domain/records/values.hpp"
#include "domain/services.hpp"

namespace relais::domain::demo {
namespace {

// mt19937_64's output sequence is fixed by the standard; the std distributions are not, so
// the helpers below derive values from raw outputs to stay identical on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
  int between(int lo, int hi) { return lo + static_cast<int>(below(hi - lo + 1)); }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  std::mt19937_64 engine_;
};

constexpr std::array<const char*, 40> kFirstNames = {
    "Camille", "Léa",      "Manon",    "Chloé",    "Inès",      "Émilie",    "Anaïs",   "Zoé",
    "Hélène",  "Océane",   "Margaux",  "Célia",    "Joséphine", "Maëlle",    "Aurélie", "Noémie",
    "Sophie",  "Claire",   "Juliette", "Élodie",   "Lucas",     "Hugo",      "Théo",    "Louis",
    "Nathan",  "Jérôme",   "François", "Stéphane", "Grégoire",  "Raphaël",   "Mathéo",  "Noël",
    "Benoît",  "Thibault", "Adrien",   "Julien",   "Nicolas",   "Sébastien", "Cédric",  "Loïc"};
constexpr std::array<const char*, 40> kLastNames = {
    "Martin",    "Bernard",  "Dubois",  "Thomas",   "Robert",   "Richard",  "Petit",   "Durand",
    "Leroy",     "Moreau",   "Simon",   "Laurent",  "Lefèvre",  "Michel",   "García",  "David",
    "Bertrand",  "Roux",     "Vincent", "Fournier", "Morel",    "Girard",   "André",   "Lefebvre",
    "Mercier",   "Dupont",   "Lambert", "Bonnet",   "François", "Martinez", "Légaré",  "Besnard",
    "Châtelain", "Pécresse", "Hébert",  "Brûlé",    "Gauthier", "Perrin",   "Clément", "Noël"};
constexpr std::array<const char*, 16> kCompanyKinds = {
    "Boulangerie", "Atelier",    "Transports", "Cabinet",   "Menuiserie", "Imprimerie",
    "Agence",      "Garage",     "Pharmacie",  "Brasserie", "Librairie",  "Laboratoire",
    "Domaine",     "Fromagerie", "Studio",     "Maçonnerie"};
constexpr std::array<const char*, 16> kCompanySuffixes = {
    "SARL",     "SAS",       "& Fils",    "Frères", "Conseil",   "Associés",     "", "",
    "Services", "Industrie", "Solutions", "",       "Créations", "Distribution", "", "Bio"};
struct City {
  const char* name;
  const char* postcode;
};
constexpr std::array<City, 20> kCities = {
    {{"Paris", "75011"},       {"Lyon", "69003"},           {"Marseille", "13006"},
     {"Toulouse", "31000"},    {"Nantes", "44000"},         {"Bordeaux", "33000"},
     {"Lille", "59000"},       {"Rennes", "35000"},         {"Strasbourg", "67000"},
     {"Montpellier", "34000"}, {"Nice", "06000"},           {"Grenoble", "38000"},
     {"Dijon", "21000"},       {"Angers", "49000"},         {"Orléans", "45000"},
     {"Besançon", "25000"},    {"Saint-Étienne", "42000"},  {"Clermont-Ferrand", "63000"},
     {"Le Mans", "72000"},     {"Aix-en-Provence", "13100"}}};
constexpr std::array<const char*, 10> kIndustries = {
    "Commerce de détail", "BTP",       "Restauration", "Conseil", "Industrie", "Santé", "Transport",
    "Agroalimentaire",    "Numérique", "Artisanat"};
constexpr std::array<const char*, 6> kSizes = {"1-10",  "1-10",   "11-50",
                                               "11-50", "51-200", "201-500"};
constexpr std::array<const char*, 12> kTitles = {"Gérant",
                                                 "Gérante",
                                                 "Directeur général",
                                                 "Directrice commerciale",
                                                 "Responsable achats",
                                                 "Comptable",
                                                 "Assistante de direction",
                                                 "Chef de projet",
                                                 "Responsable marketing",
                                                 "Directeur financier",
                                                 "Office manager",
                                                 "Technicien"};
constexpr std::array<const char*, 10> kLifecycle = {
    "lead", "lead",        "lead",     "subscriber", "mql",
    "sql",  "opportunity", "customer", "customer",   "evangelist"};
constexpr std::array<const char*, 8> kTags = {"vip",        "salon 2025",  "newsletter",
                                              "partenaire", "à relancer",  "fidèle",
                                              "export",     "grand compte"};
constexpr std::array<const char*, 6> kSources = {"site web", "salon",         "recommandation",
                                                 "LinkedIn", "appel entrant", "campagne e-mail"};
constexpr std::array<const char*, 10> kDealSubjects = {
    "Contrat de maintenance",   "Refonte du site",       "Équipement atelier",
    "Licences logicielles",     "Formation des équipes", "Audit énergétique",
    "Renouvellement flotte",    "Accompagnement RH",     "Migration vers le cloud",
    "Campagne de communication"};
constexpr std::array<const char*, 6> kLostReasons = {
    "Prix trop élevé",           "Concurrent retenu", "Projet abandonné",
    "Pas de budget cette année", "Délai trop long",   "Sans réponse"};
constexpr std::array<const char*, 8> kCallSubjects = {
    "Premier appel de découverte", "Point sur le devis",
    "Relance après salon",         "Questions techniques",
    "Négociation des conditions",  "Appel de suivi",
    "Présentation de l'offre",     "Point mensuel"};
constexpr std::array<const char*, 6> kTaskTitles = {
    "Relancer pour le devis",   "Envoyer la documentation", "Préparer la proposition",
    "Planifier un rendez-vous", "Mettre à jour le contact", "Appeler pour le renouvellement"};

std::string ascii_slug(std::string_view text) {
  std::string s = slugify(text);
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

// Proleptic Gregorian calendar arithmetic (H. Hinnant's algorithms) for dates around today.
std::string date_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y) + (m <= 2 ? 1 : 0),
                m, d);
  return buf;
}

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr int kSpanDays = 540;  // the 18 months the data covers

// Creation, stage and completion times are written "as of" their own instants
// (Transaction::set_effective_time), so created_at, stage history, audit and events span the
// 18 months. Branches depend only on day offsets, never on the time of day the loader runs:
// the content is the same all day, only the stamps of today's rows are capped at the clock.
// Every record is stamped after what it refers to (company < contact < deal < its stages).
class Loader {
 public:
  Loader(Services& services, const DemoOptions& options)
      : services_(services), options_(options), random_(20261125) {}

  Result<DemoSummary> run();

 private:
  // Runs `make(i, tx)` for i in [0, n) in write units of batch_size rows.
  Result<void> in_batches(std::size_t n,
                          const std::function<Result<void>(std::size_t, Transaction&)>& make);
  // What the batches so far have recorded, to rewind to when a unit of work runs again.
  struct Mark {
    DemoSummary summary;
    std::size_t teams, companies, contacts, deals;
    Random random;
  };
  Mark mark() const {
    return {summary_,         team_ids_.size(), companies_.size(),
            contacts_.size(), deals_.size(),    random_};
  }
  void rewind(const Mark& m) {
    summary_ = m.summary;
    team_ids_.resize(m.teams);
    companies_.resize(m.companies);
    contacts_.resize(m.contacts);
    deals_.resize(m.deals);
    random_ = m.random;
  }
  Result<void> create_users();
  Result<void> create_pipeline();
  Result<void> create_companies();
  Result<void> create_contacts();
  Result<void> create_deals();
  Result<void> create_activities();
  Result<void> create_tasks();

  std::string day(int offset) const { return date_from_days(today_ + offset); }
  // A moment in office hours (Paris, roughly) on the day `day_offset` from today.
  std::int64_t moment(int day_offset) {
    const std::int64_t hour = random_.between(7, 16), minute = random_.between(0, 59),
                       second = random_.between(0, 59), ms = random_.between(0, 999);
    return (today_ + day_offset) * kDayMs + hour * kHourMs + minute * kMinuteMs + second * 1000 +
           ms;
  }
  // `ms` moved to at least `floor_ms` and at most `before_now_ms` before the clock.
  std::int64_t within(std::int64_t ms, std::int64_t floor_ms, std::int64_t before_now_ms) const {
    return std::min(std::max(ms, floor_ms), now_ms_ - before_now_ms);
  }
  static Result<void> as_of(Transaction& tx, std::int64_t ms) {
    return tx.set_effective_time(format_storage_timestamp(ms));
  }

  Services& services_;
  const DemoOptions& options_;
  Random random_;
  Actor actor_ = Actor::system();
  std::int64_t now_ms_ = 0;
  std::int64_t today_ = 0;  // days since 1970-01-01
  DemoSummary summary_;
  std::vector<std::int64_t> team_ids_;
  std::vector<std::int64_t> sales_ids_;  // owners of records
  std::vector<std::int64_t> sales_team_;
  std::int64_t pipeline_id_ = 0;
  std::vector<std::string> stage_ids_;  // open stages in order, then won, then lost
  std::int64_t setup_ms_ = 0;           // when the CRM was set up, before any record
  std::vector<Json> companies_;         // {id, domain, city..., age (days), created_ms}
  std::vector<Json> contacts_;          // {id, company_id, ..., age, created_ms}
  std::vector<Json> deals_;             // {id, contact, company, ..., age, created_ms}
};

Result<void> Loader::in_batches(
    std::size_t n, const std::function<Result<void>(std::size_t, Transaction&)>& make) {
  for (std::size_t start = 0; start < n; start += options_.batch_size) {
    std::size_t end = std::min(n, start + options_.batch_size);
    // `make` records what it created (ids for later steps, counts); a unit may run again
    // (store.hpp), so each run starts from what the previous batches left.
    const Mark mark = this->mark();
    auto written = services_.store.write([&](Transaction& tx) -> Result<Json> {
      rewind(mark);
      for (std::size_t i = start; i < end; ++i) RELAIS_TRY(make(i, tx));
      return Json();
    });
    if (!written.ok()) return std::move(written).error();
  }
  return {};
}

Result<void> Loader::create_users() {
  const std::array<const char*, 3> teams = {"Ventes Île-de-France", "Ventes Régions",
                                            "Support client"};
  RELAIS_TRY(in_batches(teams.size(), [&](std::size_t i, Transaction& tx) -> Result<void> {
    RELAIS_TRY(as_of(tx, setup_ms_));
    RELAIS_ASSIGN_OR_RETURN(Json team, services_.teams.create_in(tx, actor_, {{"name", teams[i]}}));
    team_ids_.push_back(team["id"].get<std::int64_t>());
    return {};
  }));
  summary_.teams = teams.size();
  struct Person {
    const char* email;
    const char* name;
    const char* role;
    int team;  // index in teams, -1 = none
  };
  const std::array<Person, 8> people = {{
      {kDemoAdminEmail, "Administrateur Démo", "admin", -1},
      {"claire.moreau@demo.relais.fr", "Claire Moreau", "manager", 0},
      {"julien.roux@demo.relais.fr", "Julien Roux", "sales", 0},
      {"ines.lefevre@demo.relais.fr", "Inès Lefèvre", "sales", 0},
      {"theo.garcia@demo.relais.fr", "Théo García", "sales", 1},
      {"anais.dupont@demo.relais.fr", "Anaïs Dupont", "sales", 1},
      {"margaux.petit@demo.relais.fr", "Margaux Petit", "marketing", -1},
      {"loic.bernard@demo.relais.fr", "Loïc Bernard", "support", 2},
  }};
  for (const Person& p : people) {
    Json user = {{"email", p.email}, {"name", p.name}, {"role", p.role}};
    if (p.team >= 0) user["team_id"] = team_ids_[p.team];
    RELAIS_ASSIGN_OR_RETURN(Json created, services_.auth.create_user(actor_, user, kDemoPassword));
    if (std::string(p.role) == "sales") {
      sales_ids_.push_back(created["id"].get<std::int64_t>());
      sales_team_.push_back(team_ids_[p.team]);
    }
    ++summary_.users;
  }
  return {};
}

Result<void> Loader::create_pipeline() {
  Json stages = Json::array({
      {{"name", "Qualification"}, {"probability", 10}, {"kind", "open"}},
      {{"name", "Découverte"}, {"probability", 25}, {"kind", "open"}},
      {{"name", "Proposition"}, {"probability", 50}, {"kind", "open"}},
      {{"name", "Négociation"}, {"probability", 75}, {"kind", "open"}},
      {{"name", "Gagnée"}, {"probability", 100}, {"kind", "won"}},
      {{"name", "Perdue"}, {"probability", 0}, {"kind", "lost"}},
  });
  auto created = services_.store.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(as_of(tx, setup_ms_));
    return services_.pipelines.create_in(
        tx, actor_, {{"name", "Pipeline des ventes"}, {"stages", stages}, {"is_default", true}});
  });
  if (!created.ok()) return std::move(created).error();
  const Json& pipeline = created.value();
  pipeline_id_ = pipeline["id"].get<std::int64_t>();
  for (const Json& s : pipeline["stages"]) stage_ids_.push_back(s["id"].get<std::string>());
  return {};
}

Result<void> Loader::create_companies() {
  std::set<std::string> names;
  RELAIS_TRY(in_batches(options_.companies, [&](std::size_t, Transaction& tx) -> Result<void> {
    std::string name;
    do {
      name = std::string(random_.pick(kCompanyKinds)) + " " + random_.pick(kLastNames);
      std::string suffix = random_.pick(kCompanySuffixes);
      if (!suffix.empty()) name += " " + suffix;
    } while (!names.insert(name).second);
    const City& city = random_.pick(kCities);
    std::size_t owner = random_.below(sales_ids_.size());
    Json body = {{"name", name},
                 {"domain", ascii_slug(name) + ".fr"},
                 {"industry", random_.pick(kIndustries)},
                 {"size", random_.pick(kSizes)},
                 {"phone", "+33 " + std::to_string(random_.between(1, 5)) + " " +
                               std::to_string(random_.between(10, 99)) + " " +
                               std::to_string(random_.between(10, 99)) + " " +
                               std::to_string(random_.between(10, 99)) + " " +
                               std::to_string(random_.between(10, 99))},
                 {"address", std::to_string(random_.between(1, 120)) + " rue " +
                                 (random_.chance(50) ? "Victor Hugo" : "de la République")},
                 {"city", city.name},
                 {"postcode", city.postcode},
                 {"country", "France"},
                 {"owner_id", sales_ids_[owner]},
                 {"team_id", sales_team_[owner]}};
    if (random_.chance(20)) body["tags"] = Json::array({"grand compte"});
    // Skewed old: most customers were entered in the first months of using the CRM.
    const int age = std::max(random_.between(0, kSpanDays), random_.between(0, kSpanDays));
    const std::int64_t created_ms = within(moment(-age), setup_ms_ + kHourMs, 3 * kHourMs);
    RELAIS_TRY(as_of(tx, created_ms));
    RELAIS_ASSIGN_OR_RETURN(Json created, services_.companies.create_in(tx, actor_, body));
    created["age"] = age;
    created["created_ms"] = created_ms;
    companies_.push_back(created);
    return {};
  }));
  summary_.companies = companies_.size();
  return {};
}

Result<void> Loader::create_contacts() {
  std::set<std::string> emails;
  RELAIS_TRY(in_batches(options_.contacts, [&](std::size_t, Transaction& tx) -> Result<void> {
    std::string first = random_.pick(kFirstNames), last = random_.pick(kLastNames);
    const Json& company = companies_[random_.below(companies_.size())];
    std::string base = ascii_slug(first) + "." + ascii_slug(last);
    std::string email = base + "@" + company["domain"].get<std::string>();
    for (int n = 2; !emails.insert(email).second; ++n) {
      email = base + std::to_string(n) + "@" + company["domain"].get<std::string>();
    }
    Json tags = Json::array();
    if (random_.chance(35)) tags.push_back(random_.pick(kTags));
    if (random_.chance(10)) tags.push_back("newsletter");
    char phone[32];
    std::snprintf(phone, sizeof phone, "+33 %d %02d %02d %02d %02d", random_.between(6, 7),
                  random_.between(0, 99), random_.between(0, 99), random_.between(0, 99),
                  random_.between(0, 99));
    Json body = {{"first_name", first},
                 {"last_name", last},
                 {"emails", Json::array({email})},
                 {"phones", Json::array({phone})},
                 {"title", random_.pick(kTitles)},
                 {"company_id", company["id"]},
                 {"city", company["city"]},
                 {"postcode", company["postcode"]},
                 {"country", "France"},
                 {"tags", tags},
                 {"lifecycle_stage", random_.pick(kLifecycle)},
                 {"source", random_.pick(kSources)},
                 {"owner_id", company["owner_id"]},
                 {"team_id", company["team_id"]}};
    // Most contacts are entered soon after their company, a few much later.
    const int company_age = company["age"].get<int>();
    const int age = company_age - random_.between(0, random_.between(0, company_age));
    const std::int64_t created_ms =
        within(moment(-age), company["created_ms"].get<std::int64_t>() + kMinuteMs, 2 * kHourMs);
    RELAIS_TRY(as_of(tx, created_ms));
    RELAIS_ASSIGN_OR_RETURN(Json created, services_.contacts.create_in(tx, actor_, body));
    contacts_.push_back(Json{{"id", created["id"]},
                             {"company_id", company["id"]},
                             {"owner_id", company["owner_id"]},
                             {"team_id", company["team_id"]},
                             {"age", age},
                             {"created_ms", created_ms}});
    return {};
  }));
  summary_.contacts = contacts_.size();
  return {};
}

Result<void> Loader::create_deals() {
  const std::size_t open_stages = stage_ids_.size() - 2;  // the last two are won and lost
  RELAIS_TRY(in_batches(options_.deals, [&](std::size_t, Transaction& tx) -> Result<void> {
    // Spread over 18 months: older deals are closed, recent ones mostly still open. A deal
    // starts after its contact was entered: look for a contact old enough, else make it younger.
    int age = random_.between(0, kSpanDays);
    const Json* candidate = nullptr;
    auto age_of = [](const Json* c) { return (*c)["age"].get<int>(); };
    for (int tries = 0; tries < 8 && (candidate == nullptr || age_of(candidate) < age); ++tries) {
      candidate = &contacts_[random_.below(contacts_.size())];
    }
    if (age_of(candidate) < age) age = random_.between(0, age_of(candidate));
    const Json& contact = *candidate;
    const std::int64_t created_ms =
        within(moment(-age), contact["created_ms"].get<std::int64_t>() + kMinuteMs, kHourMs);
    int close_offset = -age + random_.between(20, 120);
    Json body = {{"title", std::string(random_.pick(kDealSubjects)) + " — " +
                               std::to_string(random_.between(2, 40)) + " postes"},
                 {"amount", static_cast<std::int64_t>(random_.between(8, 900)) * 10000},
                 {"currency", "EUR"},
                 {"pipeline_id", pipeline_id_},
                 {"stage_id", stage_ids_[0]},
                 {"expected_close_date", day(close_offset)},
                 {"owner_id", contact["owner_id"]},
                 {"team_id", contact["team_id"]},
                 {"contact_ids", Json::array({contact["id"]})},
                 {"company_id", contact["company_id"]}};
    RELAIS_TRY(as_of(tx, created_ms));
    RELAIS_ASSIGN_OR_RETURN(Json deal, services_.deals.create_in(tx, actor_, body));
    std::int64_t id = deal["id"].get<std::int64_t>();
    // Walk the deal through the stages so it has a real history.
    std::size_t target;
    bool closed = close_offset < 0 || random_.chance(15);
    if (closed) {
      target = random_.chance(45) ? open_stages : open_stages + 1;  // won : lost
    } else {
      target = random_.below(open_stages);
    }
    std::size_t last_open = closed ? random_.below(open_stages) : target;
    // The moves share the time from creation to the last move (the close, for closed deals),
    // each at a random point of its own slot: strictly increasing, days or weeks apart.
    const std::int64_t moves = static_cast<std::int64_t>(last_open) + (closed ? 1 : 0);
    const int close_day = close_offset < 0 ? close_offset : -random_.between(0, age);
    const std::int64_t last_move_ms =
        closed ? within(moment(close_day), created_ms + moves * kMinuteMs, 0)
               : created_ms + (now_ms_ - created_ms) * random_.between(20, 100) / 100;
    const std::int64_t slot_ms = moves == 0 ? 0 : (last_move_ms - created_ms) / moves;
    std::int64_t move = 0;
    auto next_move = [&]() -> Result<void> {
      ++move;
      return as_of(tx, move == moves ? last_move_ms
                                     : created_ms + slot_ms * (move - 1) +
                                           slot_ms * random_.between(50, 100) / 100);
    };
    for (std::size_t s = 1; s <= last_open; ++s) {
      RELAIS_TRY(next_move());
      RELAIS_ASSIGN_OR_RETURN(
          deal,
          services_.deals.update_in(tx, actor_, id, {{"stage_id", stage_ids_[s]}}, std::nullopt));
    }
    if (closed) {
      RELAIS_TRY(next_move());
      Json patch = {{"stage_id", stage_ids_[target]}};
      if (target == open_stages + 1) patch["lost_reason"] = random_.pick(kLostReasons);
      RELAIS_ASSIGN_OR_RETURN(deal, services_.deals.update_in(tx, actor_, id, patch, std::nullopt));
    }
    deals_.push_back(Json{{"id", id},
                          {"contact_id", contact["id"]},
                          {"company_id", contact["company_id"]},
                          {"owner_id", contact["owner_id"]},
                          {"team_id", contact["team_id"]},
                          {"age", age},
                          {"created_ms", created_ms}});
    return {};
  }));
  summary_.deals = deals_.size();
  return {};
}

Result<void> Loader::create_activities() {
  const std::array<const char*, 4> types = {"call", "meeting", "email", "note"};
  RELAIS_TRY(in_batches(options_.activities, [&](std::size_t, Transaction& tx) -> Result<void> {
    std::string type = types[random_.below(types.size())];
    Json body = {{"type", type}};
    int age;
    std::int64_t after_ms;  // the activity happened after its deal or contact was entered
    if (random_.chance(40) && !deals_.empty()) {
      const Json& deal = deals_[random_.below(deals_.size())];
      age = random_.between(0, deal["age"].get<int>());
      after_ms = deal["created_ms"].get<std::int64_t>();
      body["deal_id"] = deal["id"];
      body["contact_id"] = deal["contact_id"];
      body["company_id"] = deal["company_id"];
      body["owner_id"] = deal["owner_id"];
      body["team_id"] = deal["team_id"];
    } else {
      const Json& contact = contacts_[random_.below(contacts_.size())];
      age = random_.between(0, contact["age"].get<int>());
      after_ms = contact["created_ms"].get<std::int64_t>();
      body["contact_id"] = contact["id"];
      body["company_id"] = contact["company_id"];
      body["owner_id"] = contact["owner_id"];
      body["team_id"] = contact["team_id"];
    }
    // Logged a little after it happened.
    const std::int64_t occurred_ms = within(moment(-age), after_ms + kMinuteMs, kHourMs);
    body["occurred_at"] = format_storage_timestamp(occurred_ms);
    RELAIS_TRY(as_of(tx, within(occurred_ms + random_.between(2, 90) * kMinuteMs, 0, 0)));
    if (type == "call") {
      body["subject"] = random_.pick(kCallSubjects);
      body["duration_minutes"] = random_.between(3, 45);
      body["outcome"] = random_.chance(70) ? "joint" : "messagerie";
    } else if (type == "meeting") {
      body["subject"] = random_.chance(50) ? "Rendez-vous sur site" : "Démonstration en visio";
      body["duration_minutes"] = random_.chance(50) ? 30 : 60;
    } else if (type == "email") {
      body["subject"] = random_.chance(50) ? "Envoi du devis" : "Compte rendu de notre échange";
      body["body"] =
          "Bonjour,\n\nSuite à notre échange, vous trouverez ci-joint les éléments "
          "demandés.\n\nBien cordialement,";
    } else {
      body["subject"] = "Note";
      body["body"] = random_.chance(50) ? "Client satisfait, potentiel de vente croisée."
                                        : "Budget validé pour le prochain trimestre.";
    }
    RELAIS_TRY(services_.activities.create_in(tx, actor_, body));
    ++summary_.activities;
    return {};
  }));
  return {};
}

Result<void> Loader::create_tasks() {
  const std::array<const char*, 4> priorities = {"low", "normal", "normal", "high"};
  RELAIS_TRY(in_batches(options_.tasks, [&](std::size_t i, Transaction& tx) -> Result<void> {
    const Json& contact = contacts_[random_.below(contacts_.size())];
    // A fifth overdue, a tenth due today, the rest in the coming weeks; some already done.
    int due = i % 10 == 0 ? 0 : i % 5 == 1 ? -random_.between(1, 20) : random_.between(1, 45);
    // Planned one to three weeks ahead, never before the contact existed.
    const int planned = std::min(due, 0) - random_.between(1, 20);
    const std::int64_t created_ms =
        within(moment(planned), contact["created_ms"].get<std::int64_t>() + kMinuteMs, kHourMs);
    RELAIS_TRY(as_of(tx, created_ms));
    Json body = {{"title", random_.pick(kTaskTitles)},
                 {"due_date", day(due)},
                 {"priority", priorities[random_.below(priorities.size())]},
                 {"assignee_id", contact["owner_id"]},
                 {"contact_id", contact["id"]},
                 {"company_id", contact["company_id"]},
                 {"owner_id", contact["owner_id"]},
                 {"team_id", contact["team_id"]}};
    RELAIS_ASSIGN_OR_RETURN(Json task, services_.tasks.create_in(tx, actor_, body));
    if (due > 0 && random_.chance(15)) {
      RELAIS_TRY(as_of(tx, created_ms + (now_ms_ - created_ms) * random_.between(10, 100) / 100));
      RELAIS_TRY(services_.tasks.update_in(tx, actor_, task["id"].get<std::int64_t>(),
                                           {{"status", "done"}}, std::nullopt));
    }
    ++summary_.tasks;
    return {};
  }));
  return {};
}

Result<DemoSummary> Loader::run() {
  auto existing = services_.store.read([&](Transaction& tx) -> Result<Json> {
    return Json(tx.find_credentials_by_email(kDemoAdminEmail).has_value());
  });
  if (!existing.ok()) return std::move(existing).error();
  if (existing->get<bool>()) {
    summary_.already_present = true;
    return summary_;
  }
  now_ms_ = now_epoch_ms();
  today_ = now_ms_ / kDayMs;
  setup_ms_ = (today_ - kSpanDays - 7) * kDayMs + 9 * kHourMs;
  RELAIS_TRY(create_users());
  RELAIS_TRY(create_pipeline());
  RELAIS_TRY(create_companies());
  RELAIS_TRY(create_contacts());
  RELAIS_TRY(create_deals());
  RELAIS_TRY(create_activities());
  RELAIS_TRY(create_tasks());
  return summary_;
}

}  // namespace

Result<DemoSummary> load_demo(Services& services, const DemoOptions& options) {
  Loader loader(services, options);
  return loader.run();
}

}  // namespace relais::domain::demo
