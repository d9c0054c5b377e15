// ImportService on a real temporary SQLite store, through the real domain services.
#include "domain/importing/import_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "domain/importing/csv_export.hpp"
#include "domain/services.hpp"
#include "domain/testing/services_fixture.hpp"

namespace relais::domain::importing {
namespace {

namespace fs = std::filesystem;

std::string read_sample(const std::string& name) {
  fs::path path = fs::path(__FILE__).parent_path() / "../../../tests/data" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ImportServiceTest : public testing::ServicesFixture {
 protected:
  std::int64_t count(const EntitySchema& schema) {
    auto n = db_->store().read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(std::int64_t c, tx.count(schema, ListQuery{}));
      return Json(c);
    });
    EXPECT_TRUE(n.ok());
    return n.ok() ? n->get<std::int64_t>() : -1;
  }

  std::vector<Json> all(const EntitySchema& schema) {
    auto page = db_->store().read([&](Transaction& tx) -> Result<Json> {
      ListQuery q;
      q.limit = 500;
      q.sort = {{"id", false}};
      RELAIS_ASSIGN_OR_RETURN(Page p, tx.list(schema, q));
      return Json(p.items);
    });
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->get<std::vector<Json>>() : std::vector<Json>{};
  }

  Result<ImportReport> import(std::string_view bytes, ImportKind kind, bool dry_run = false,
                              std::size_t batch_size = 500) {
    ImportOptions options;
    options.kind = kind;
    options.dry_run = dry_run;
    options.batch_size = batch_size;
    return ImportService(*services_).import_csv(Actor::system(), bytes, options);
  }

  void create_pipeline() {
    Json stages = Json::array({
        {{"name", "Qualification"}, {"probability", 10}, {"kind", "open"}},
        {{"name", "Découverte"}, {"probability", 25}, {"kind", "open"}},
        {{"name", "Proposition"}, {"probability", 50}, {"kind", "open"}},
        {{"name", "Négociation"}, {"probability", 75}, {"kind", "open"}},
        {{"name", "Gagnée"}, {"probability", 100}, {"kind", "won"}},
        {{"name", "Perdue"}, {"probability", 0}, {"kind", "lost"}},
    });
    auto p = services_->pipelines.create(
        Actor::system(), Json{{"name", "Ventes"}, {"stages", stages}, {"is_default", true}});
    ASSERT_TRUE(p.ok()) << p.error().message;
  }
};

TEST_F(ImportServiceTest, ImportsGoodRowsAndReportsBadOnes) {
  auto report = import(read_sample("contacts_en.csv"), ImportKind::kContacts);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rows, 5u);
  EXPECT_EQ(report->imported, 2u);
  EXPECT_EQ(report->separator, ',');
  ASSERT_EQ(report->rejected.size(), 3u);
  EXPECT_EQ(report->rejected[0].row, 3u);
  EXPECT_EQ(report->rejected[0].column, "email");
  EXPECT_NE(report->rejected[0].reason.find("not-an-email"), std::string::npos);
  EXPECT_EQ(report->rejected[1].row, 5u);  // ALICE@ duplicates row 2
  EXPECT_NE(report->rejected[1].reason.find("row 2"), std::string::npos);
  EXPECT_EQ(report->rejected[2].row, 6u);
  EXPECT_EQ(report->rejected[2].column, "lifecycle_stage");

  auto contacts = all(contact_schema());
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0]["first_name"], "Alice");
  EXPECT_EQ(contacts[0]["tags"], Json::array({"vip", "salon"}));
  EXPECT_EQ(contacts[0]["lifecycle_stage"], "customer");
  EXPECT_EQ(contacts[1]["lifecycle_stage"], "lead");  // "prospect"
  // Acme SAS is created once (Bob's row was rejected), Globex once.
  auto companies = all(company_schema());
  ASSERT_EQ(companies.size(), 2u);
  EXPECT_EQ(contacts[0]["company_id"], companies[0]["id"]);
  EXPECT_EQ(companies[0]["name"], "Acme SAS");
}

TEST_F(ImportServiceTest, DuplicateAgainstDatabaseNamesExistingId) {
  auto first = services_->contacts.create(
      Actor::system(), Json{{"first_name", "Old"}, {"emails", Json::array({"chloe@example.com"})}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto report = import(read_sample("contacts_en.csv"), ImportKind::kContacts);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->imported, 1u);
  bool found = false;
  for (const auto& r : report->rejected) {
    if (r.row == 4) {
      found = true;
      EXPECT_EQ(r.existing_id, (*first)["id"].get<std::int64_t>());
      EXPECT_EQ(r.column, "email");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(count(contact_schema()), 2);
}

TEST_F(ImportServiceTest, FrenchExcelFileInWindows1252WithSemicolons) {
  auto report = import(read_sample("contacts_fr_excel.csv"), ImportKind::kContacts);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->encoding, "windows-1252");
  EXPECT_EQ(report->separator, ';');
  EXPECT_EQ(report->imported, 3u);
  EXPECT_TRUE(report->rejected.empty());
  EXPECT_EQ(report->unmapped_columns, (std::vector<std::string>{"Couleur préférée"}));
  auto contacts = all(contact_schema());
  ASSERT_EQ(contacts.size(), 3u);
  EXPECT_EQ(contacts[0]["first_name"], "Élodie");
  EXPECT_EQ(contacts[0]["city"], "Orléans");
  EXPECT_EQ(contacts[0]["title"], "Gérante");
  EXPECT_EQ(contacts[0]["tags"], Json::array({"client fidèle", "salon"}));
  EXPECT_EQ(contacts[2]["last_name"], "Noël");
  EXPECT_EQ(count(company_schema()), 1);  // "Boulangerie Dupré" shared by two rows
  EXPECT_EQ(contacts[0]["company_id"], contacts[1]["company_id"]);
}

TEST_F(ImportServiceTest, DryRunWritesNothingAndReportsTheSame) {
  auto dry = import(read_sample("contacts_en.csv"), ImportKind::kContacts, true);
  ASSERT_TRUE(dry.ok());
  EXPECT_TRUE(dry->dry_run);
  EXPECT_EQ(dry->imported, 2u);
  EXPECT_EQ(dry->rejected.size(), 3u);
  EXPECT_EQ(count(contact_schema()), 0);
  EXPECT_EQ(count(company_schema()), 0);
  auto real = import(read_sample("contacts_en.csv"), ImportKind::kContacts);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->to_json()["rejected"], dry->to_json()["rejected"]);
  EXPECT_EQ(count(contact_schema()), 2);
}

TEST_F(ImportServiceTest, BadRowsNeverRejectNeighboursAcrossBatches) {
  std::string csv = "Prénom;Nom;E-mail\n";
  for (int i = 0; i < 50; ++i) {
    std::string email = i % 7 == 3 ? "broken" : "p" + std::to_string(i) + "@x.fr";
    csv += "P" + std::to_string(i) + ";N;" + email + "\n";
  }
  auto report = import(csv, ImportKind::kContacts, false, 8);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rows, 50u);
  EXPECT_EQ(report->rejected.size(), 7u);
  EXPECT_EQ(report->imported, 43u);
  EXPECT_EQ(count(contact_schema()), 43);
}

// A row that fails after part of it was written (here: its new company, then the contact
// misses a required custom field) leaves nothing behind; its neighbours are imported.
TEST_F(ImportServiceTest, RowFailingAfterAPartialWriteLeavesNothingBehind) {
  auto def = services_->custom_fields.create(Actor::system(), Json{{"entity", "contact"},
                                                                   {"key", "secteur"},
                                                                   {"label", "Secteur"},
                                                                   {"type", "text"},
                                                                   {"required", true}});
  ASSERT_TRUE(def.ok()) << def.error().message;
  std::string csv = "Prénom;Nom;Entreprise;secteur\n";
  csv += "Anne;Avant;;BTP\n";
  csv += "Bruno;Fantôme;Fantôme SA;\n";
  csv += "Chloé;Après;Réelle SARL;Retail\n";
  auto report = import(csv, ImportKind::kContacts, false, 10);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 2u);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].row, 3u);
  EXPECT_NE(report->rejected[0].reason.find("required"), std::string::npos)
      << report->rejected[0].reason;
  auto companies = all(company_schema());
  ASSERT_EQ(companies.size(), 1u);
  EXPECT_EQ(companies[0]["name"], "Réelle SARL");
}

// Rows the database rejects (an e-mail that already belongs to a contact), spread over
// batches larger than a run of rows written together: the batch is written again in runs,
// and a run with a rejected row row by row. Nothing of a rejected row stays (row 190 is the
// first of its company's rows: the company it created is undone with it, and created again
// by the next row), every other row is imported once, linked to its company.
TEST_F(ImportServiceTest, RowsRejectedByTheDatabaseInLargeBatches) {
  for (int i = 0; i < 300; ++i) {
    if (i % 37 != 5) continue;
    auto c = services_->contacts.create(
        Actor::system(),
        Json{{"last_name", "Déjà"}, {"emails", {"dup" + std::to_string(i) + "@x.fr"}}});
    ASSERT_TRUE(c.ok()) << c.error().message;
  }
  std::string csv = "Prénom;Nom;E-mail;Entreprise\n";
  std::size_t expected_rejected = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    if (i % 37 == 5) {
      ++expected_rejected;
      csv += "P" + n + ";N;dup" + n + "@x.fr;Société " + std::to_string(i / 10) + "\n";
    } else {
      csv += "P" + n + ";N;p" + n + "@x.fr;Société " + std::to_string(i / 10) + "\n";
    }
  }
  auto report = import(csv, ImportKind::kContacts, false, 200);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rows, 300u);
  ASSERT_EQ(report->rejected.size(), expected_rejected);
  for (const RejectedRow& r : report->rejected) {
    EXPECT_EQ((r.row - 2) % 37, 5u) << r.row;  // line 2 holds i = 0
    EXPECT_NE(r.reason.find("already belongs"), std::string::npos) << r.reason;
  }
  EXPECT_EQ(report->imported, 300u - expected_rejected);

  std::map<std::int64_t, std::string> company_names;
  for (const Json& company : all(company_schema())) {
    EXPECT_EQ(company["name"].get<std::string>().rfind("Société ", 0), 0u) << company.dump();
    company_names[company["id"].get<std::int64_t>()] = company["name"];
  }
  EXPECT_EQ(company_names.size(), 30u);
  std::size_t imported = 0;
  for (const Json& contact : all(contact_schema())) {
    if (contact["last_name"] == "Déjà") continue;
    ++imported;
    const int i = std::stoi(contact["first_name"].get<std::string>().substr(1));
    ASSERT_TRUE(contact["company_id"].is_number_integer()) << contact.dump();
    EXPECT_EQ(company_names[contact["company_id"].get<std::int64_t>()],
              "Société " + std::to_string(i / 10));
  }
  EXPECT_EQ(imported, 300u - expected_rejected);
}

TEST_F(ImportServiceTest, CustomFieldColumnsAreTypedLikeTheirDefinitions) {
  auto define = [&](Json def) {
    def["entity"] = "contact";
    auto created = services_->custom_fields.create(Actor::system(), def);
    ASSERT_TRUE(created.ok()) << created.error().message;
  };
  define(
      {{"key", "secteur"}, {"label", "Secteur"}, {"type", "enum"}, {"options", {"BTP", "Retail"}}});
  define({{"key", "panier"}, {"label", "Panier moyen"}, {"type", "number"}});
  define({{"key", "rappel"}, {"label", "Date de rappel"}, {"type", "date"}});
  define({{"key", "vip"}, {"label", "VIP"}, {"type", "boolean"}});
  std::string csv = "Prénom;Secteur;Panier moyen;Date de rappel;VIP\n";
  csv += "Anne;btp;12,5;25/11/2026;oui\n";
  csv += "Bruno;Agriculture;3;;non\n";
  auto report = import(csv, ImportKind::kContacts);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 1u);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].column, "Secteur");
  EXPECT_NE(report->rejected[0].reason.find("BTP, Retail"), std::string::npos);
  auto contacts = all(contact_schema());
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0]["custom"],
            (Json{{"secteur", "BTP"}, {"panier", 12.5}, {"rappel", "2026-11-25"}, {"vip", true}}));
}

// Migrating from another CRM keeps each record's creation date; the rows around keep "now".
TEST_F(ImportServiceTest, CreationDatesFromTheOldSystemAreKept) {
  std::string csv = "Prénom;Entreprise;Date de création\n";
  csv += "Anne;Ancienne SA;15/03/2024\n";
  csv += "Bruno;;2024-06-01T08:30:00+02:00\n";
  csv += "Chloé;;\n";
  csv += "Denis;;01/01/2999\n";
  auto report = import(csv, ImportKind::kContacts);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 3u);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].column, "Date de création");
  EXPECT_NE(report->rejected[0].reason.find("future"), std::string::npos);
  std::map<std::string, Json> by_name;
  for (const Json& c : all(contact_schema())) by_name[c["first_name"].get<std::string>()] = c;
  EXPECT_EQ(by_name["Anne"]["created_at"], "2024-03-15T00:00:00.000Z");
  EXPECT_EQ(by_name["Anne"]["updated_at"], "2024-03-15T00:00:00.000Z");
  EXPECT_EQ(by_name["Bruno"]["created_at"], "2024-06-01T06:30:00.000Z");
  EXPECT_GT(by_name["Chloé"]["created_at"].get<std::string>(), "2026-01-01");
  // The company first seen on Anne's row is dated like her.
  EXPECT_EQ(all(company_schema()).at(0)["created_at"], "2024-03-15T00:00:00.000Z");
}

TEST_F(ImportServiceTest, DealsWithFrenchAmountsStagesAndDates) {
  create_pipeline();
  auto report = import(read_sample("deals_fr.csv"), ImportKind::kDeals);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 2u);
  ASSERT_EQ(report->rejected.size(), 3u);
  EXPECT_EQ(report->rejected[0].column, "Montant");
  EXPECT_EQ(report->rejected[1].column, "Étape");
  EXPECT_EQ(report->rejected[2].column, "Date de clôture prévue");
  auto deals = all(deal_schema());
  ASSERT_EQ(deals.size(), 2u);
  EXPECT_EQ(deals[0]["amount"], 1250000);
  EXPECT_EQ(deals[0]["stage_id"], "proposition");
  EXPECT_EQ(deals[0]["expected_close_date"], "2026-11-25");
  EXPECT_EQ(deals[1]["amount"], 123456);
  EXPECT_EQ(deals[0]["company_id"], deals[1]["company_id"]);
}

TEST_F(ImportServiceTest, UnreadableFilesAreErrors) {
  EXPECT_FALSE(import("", ImportKind::kContacts).ok());
  EXPECT_FALSE(import(std::string("a,b\n\0\0", 6), ImportKind::kContacts).ok());
  EXPECT_FALSE(import("Prénom,Nom\n\"open,x\n", ImportKind::kContacts).ok());
  // No column maps to anything a contact needs.
  EXPECT_FALSE(import("Couleur\nbleu\n", ImportKind::kContacts).ok());
  EXPECT_EQ(count(contact_schema()), 0);
}

TEST_F(ImportServiceTest, ExportRoundTrips) {
  ASSERT_TRUE(import(read_sample("contacts_fr_excel.csv"), ImportKind::kContacts).ok());
  std::string csv;
  auto stats = export_csv(*services_, Actor::system(), "contacts", {"city = \"Orléans\"", ""},
                          [&](std::string_view chunk) { csv.append(chunk); });
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->rows, 1u);
  EXPECT_EQ(csv.substr(0, 26), "id,first_name,last_name,em");
  EXPECT_NE(csv.find("Élodie"), std::string::npos);
  EXPECT_EQ(csv.find("François"), std::string::npos);

  // The search text narrows the export like the list's ?q= (prefix, accents ignored).
  std::string searched;
  auto found = export_csv(*services_, Actor::system(), "contacts", {"", "elod"},
                          [&](std::string_view chunk) { searched.append(chunk); });
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->rows, 1u);
  EXPECT_NE(searched.find("Élodie"), std::string::npos);

  auto bad = export_csv(*services_, Actor::system(), "contacts", {"nope ==", ""}, [](auto) {});
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(export_csv(*services_, Actor::system(), "users", {}, [](auto) {}).ok());
}

}  // namespace
}  // namespace relais::domain::importing
