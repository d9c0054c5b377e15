// CSV imports by users of two teams: names and e-mails resolve only to records the importing
// user can read, duplicates name only readable holders, and only admins (and the system)
// keep creation dates from another system — with the audit entry at the real time.
#include <gtest/gtest.h>

#include <string>

#include "domain/importing/import_service.hpp"
#include "domain/records/values.hpp"
#include "domain/services.hpp"
#include "domain/testing/services_fixture.hpp"
#include "domain/timeline/timeline_service.hpp"

namespace relais::domain::importing {
namespace {

class ImportPermissionsTest : public testing::TwoTeamsFixture {
 protected:
  void SetUp() override {
    TwoTeamsFixture::SetUp();
    manager_ = make_user("marie@example.fr", Role::kManager, lyon_);
    admin_ = make_user("root@example.fr", Role::kAdmin);
    Json stages = Json::array({{{"id", "new"}, {"name", "New"}, {"probability", 10}}});
    must(services_->pipelines.create(Actor::system(),
                                     {{"name", "P"}, {"stages", stages}, {"is_default", true}}));
  }

  Result<ImportReport> import(const Actor& actor, std::string_view csv, ImportKind kind,
                              bool dry_run = false) {
    ImportOptions options;
    options.kind = kind;
    options.dry_run = dry_run;
    return ImportService(*services_).import_csv(actor, csv, options);
  }

  // The contact named `first_name`, as the system sees it.
  Json contact_named(const std::string& first_name) {
    ListRequest request;
    request.filter = "first_name = \"" + first_name + "\"";
    Page page = must(services_->contacts.list(Actor::system(), request));
    EXPECT_EQ(page.items.size(), 1u) << first_name;
    return page.items.empty() ? Json() : page.items.front();
  }

  Actor manager_, admin_;
};

TEST_F(ImportPermissionsTest, CompanyNamesResolveOnlyToReadableCompanies) {
  Json theirs = must(services_->companies.create(bob_, {{"name", "Acme"}}));
  auto report = import(alice_, "Prénom;Entreprise\nAnne;Acme\nAnaïs;ACME\n", ImportKind::kContacts);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 2u);
  const Json anne = contact_named("Anne");
  EXPECT_NE(anne["company_id"], theirs["id"]);
  EXPECT_EQ(contact_named("Anaïs")["company_id"], anne["company_id"]);  // one new company
  Json own = must(services_->companies.get(alice_, anne["company_id"].get<std::int64_t>()));
  EXPECT_EQ(own["team_id"], lyon_);
  // Bob's file finds his own Acme.
  ASSERT_TRUE(import(bob_, "Prénom;Entreprise\nBenoît;Acme\n", ImportKind::kContacts).ok());
  EXPECT_EQ(contact_named("Benoît")["company_id"], theirs["id"]);
}

TEST_F(ImportPermissionsTest, ContactEmailsResolveOnlyToReadableContacts) {
  must(services_->contacts.create(bob_, {{"first_name", "P"}, {"emails", {"p@paris.fr"}}}));
  must(services_->contacts.create(alice_, {{"first_name", "L"}, {"emails", {"l@lyon.fr"}}}));
  const std::string csv = "Titre;E-mail du contact\nD1;p@paris.fr\nD2;l@lyon.fr\nD3;x@nulle.fr\n";
  for (bool dry_run : {true, false}) {
    SCOPED_TRACE(dry_run);
    auto report = import(alice_, csv, ImportKind::kDeals, dry_run);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->imported, 1u);
    ASSERT_EQ(report->rejected.size(), 2u);
    // Bob's contact is answered like one that does not exist.
    EXPECT_EQ(report->rejected[0].reason, "no contact with e-mail p@paris.fr");
    EXPECT_EQ(report->rejected[1].reason, "no contact with e-mail x@nulle.fr");
    EXPECT_EQ(report->rejected[0].column, report->rejected[1].column);
  }
}

TEST_F(ImportPermissionsTest, DuplicatesNameOnlyReadableHolders) {
  Json theirs = must(services_->contacts.create(bob_, {{"emails", {"pris@paris.fr"}}}));
  Json mine = must(services_->contacts.create(alice_, {{"emails", {"pris@lyon.fr"}}}));
  const std::string csv = "Prénom;E-mail\nA;pris@paris.fr\nB;pris@lyon.fr\n";
  for (bool dry_run : {true, false}) {
    SCOPED_TRACE(dry_run);
    auto report = import(alice_, csv, ImportKind::kContacts, dry_run);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_EQ(report->rejected.size(), 2u);
    EXPECT_FALSE(report->rejected[0].existing_id.has_value());
    EXPECT_EQ(report->rejected[0].reason.find(theirs["id"].dump()), std::string::npos)
        << report->rejected[0].reason;
    EXPECT_NE(report->rejected[0].reason.find("pris@paris.fr"), std::string::npos);
    EXPECT_EQ(report->rejected[1].existing_id, mine["id"].get<std::int64_t>());
  }
  // Company domains alike.
  Json company = must(services_->companies.create(bob_, {{"name", "B"}, {"domain", "b.fr"}}));
  auto report = import(alice_, "Nom;Domaine\nA;b.fr\n", ImportKind::kCompanies, true);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_FALSE(report->rejected[0].existing_id.has_value());
  EXPECT_EQ(report->rejected[0].reason.find(company["id"].dump()), std::string::npos);
}

TEST_F(ImportPermissionsTest, OnlyAdminsKeepCreationDates) {
  const std::string csv = "Prénom;Date de création\nAnne;15/03/2024\n";
  for (const Actor* who : {&alice_, &manager_}) {
    for (bool dry_run : {true, false}) {
      auto refused = import(*who, csv, ImportKind::kContacts, dry_run);
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
      EXPECT_NE(refused.error().message.find("Date de création"), std::string::npos);
    }
  }
  EXPECT_EQ(must(services_->contacts.list(Actor::system(), {})).items.size(), 0u);
  // Without the column (or with it mapped to nothing) the same user imports, dated today.
  ImportOptions ignored;
  ignored.overrides["Date de création"] = "";
  auto today = ImportService(*services_).import_csv(alice_, csv, ignored);
  ASSERT_TRUE(today.ok()) << today.error().message;
  EXPECT_EQ(today->imported, 1u);
  EXPECT_GT(contact_named("Anne")["created_at"].get<std::string>(), "2026-01-01");
}

// The record keeps its historical date; its audit entry says when it was really written.
TEST_F(ImportPermissionsTest, KeptCreationDatesLeaveTheAuditEntryAtTheRealTime) {
  const std::string before = format_storage_timestamp(now_epoch_ms());
  auto report = import(admin_, "Prénom;Entreprise;Date de création\nBrice;Vieille SA;15/03/2024\n",
                       ImportKind::kContacts);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->imported, 1u);
  const Json brice = contact_named("Brice");
  EXPECT_EQ(brice["created_at"], "2024-03-15T00:00:00.000Z");
  Page timeline = must(
      services_->timeline->timeline(admin_, "contact", brice["id"].get<std::int64_t>(), 50, ""));
  ASSERT_EQ(timeline.items.size(), 1u);
  EXPECT_EQ(timeline.items[0]["kind"], "audit");
  EXPECT_EQ(timeline.items[0]["actor_user_id"], admin_.user_id);
  EXPECT_GE(timeline.items[0]["at"].get<std::string>(), before);
  // The company first seen on the row is dated like the record, audited at the real time.
  Json company = must(services_->companies.get(admin_, brice["company_id"].get<std::int64_t>()));
  EXPECT_EQ(company["created_at"], "2024-03-15T00:00:00.000Z");
  Page company_timeline = must(
      services_->timeline->timeline(admin_, "company", company["id"].get<std::int64_t>(), 50, ""));
  ASSERT_EQ(company_timeline.items.size(), 1u);
  EXPECT_GE(company_timeline.items[0]["at"].get<std::string>(), before);
}

}  // namespace
}  // namespace relais::domain::importing
