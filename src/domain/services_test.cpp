// Services on the real SQLite store in a temporary directory: the write path end to end
// (validation, rules, permissions, concurrency, audit/timeline) as the API will drive it.
#include "domain/services.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "domain/contacts/contact_merge_service.hpp"
#include "domain/testing/services_fixture.hpp"
#include "domain/timeline/timeline_service.hpp"

namespace relais::domain {
namespace {

class ServicesTest : public testing::TwoTeamsFixture {
 protected:
  void SetUp() override {
    TwoTeamsFixture::SetUp();
    reader_ = make_user("rita@example.fr", Role::kReadonly, lyon_);
  }

  Actor reader_;
};

TEST_F(ServicesTest, CreateContactNormalisesAndDefaultsOwner) {
  Json c = must(services_->contacts.create(
      alice_, {{"first_name", "Jean"},
               {"emails", {" Jean.Dupont@Example.FR", "jean.dupont@example.fr"}},
               {"phones", {"06 12 34 56 78"}}}));
  EXPECT_EQ(c["emails"], Json::array({"jean.dupont@example.fr"}));
  EXPECT_EQ(c["phones"], Json::array({"+33612345678"}));
  EXPECT_EQ(c["owner_id"], alice_.user_id);
  EXPECT_EQ(c["team_id"], lyon_);
  EXPECT_EQ(c["lifecycle_stage"], "lead");
  EXPECT_EQ(c["version"], 1);
}

TEST_F(ServicesTest, ContactRules) {
  auto nameless = services_->contacts.create(alice_, {{"city", "Lyon"}});
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.error().code, ErrorCode::kValidationFailed);
  auto bad_email = services_->contacts.create(alice_, {{"emails", {"not-an-email"}}});
  ASSERT_FALSE(bad_email.ok());
  EXPECT_TRUE(bad_email.error().fields.count("emails"));
  auto no_company = services_->contacts.create(alice_, {{"last_name", "X"}, {"company_id", 999}});
  ASSERT_FALSE(no_company.ok());
  EXPECT_EQ(no_company.error().fields.at("company_id"), "no company with id 999");
}

TEST_F(ServicesTest, DuplicateEmailIsConflictNamingExistingContact) {
  Json first = must(services_->contacts.create(alice_, {{"emails", {"dup@example.fr"}}}));
  auto second = services_->contacts.create(alice_, {{"emails", {"DUP@example.fr"}}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_EQ(second.error().details["existing_id"], first["id"]);
  EXPECT_NE(second.error().message.find(first["id"].dump()), std::string::npos);
  // Nothing half-written: still exactly one contact.
  EXPECT_EQ(must(services_->contacts.list(alice_, {})).items.size(), 1u);
}

TEST_F(ServicesTest, OptimisticConcurrency) {
  Json c = must(services_->contacts.create(alice_, {{"first_name", "Anne"}}));
  const auto id = c["id"].get<std::int64_t>();
  Json v2 = must(services_->contacts.update(alice_, id, {{"city", "Lyon"}}, 1));
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["city"], "Lyon");
  auto stale = services_->contacts.update(alice_, id, {{"city", "Paris"}}, 1);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto stale_delete = services_->contacts.remove(alice_, id, 1);
  EXPECT_EQ(stale_delete.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(services_->contacts.remove(alice_, id, 2).ok());
  EXPECT_EQ(services_->contacts.get(alice_, id).error().code, ErrorCode::kNotFound);
}

TEST_F(ServicesTest, RecordLevelPermissions) {
  Json mine = must(services_->contacts.create(alice_, {{"first_name", "Privé"}}));
  const auto id = mine["id"].get<std::int64_t>();
  EXPECT_EQ(services_->contacts.get(bob_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(services_->contacts.update(bob_, id, {{"city", "X"}}, {}).error().code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(must(services_->contacts.list(bob_, {})).items.empty());
  EXPECT_EQ(must(services_->contacts.list(alice_, {})).items.size(), 1u);
  // Same team, read-only role: visible but not writable.
  EXPECT_TRUE(services_->contacts.get(reader_, id).ok());
  EXPECT_EQ(services_->contacts.update(reader_, id, {{"city", "X"}}, {}).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(services_->contacts.create(reader_, {{"first_name", "Z"}}).error().code,
            ErrorCode::kForbidden);
  // Sales may not create a record for someone outside their team.
  auto foreign = services_->contacts.create(
      alice_, {{"first_name", "Y"}, {"owner_id", bob_.user_id}, {"team_id", paris_}});
  EXPECT_EQ(foreign.error().code, ErrorCode::kForbidden);
  // Every role reads the users/teams directory (across teams); only admins manage it.
  const Page users = must(services_->users.list(alice_, {}));
  EXPECT_EQ(users.items.size(), 3u);
  for (const Json& user : users.items) {
    EXPECT_FALSE(user.contains("password_hash")) << user;
    EXPECT_FALSE(user.contains("password")) << user;
  }
  EXPECT_EQ(must(services_->teams.list(reader_, {})).items.size(), 2u);
  EXPECT_TRUE(services_->users.get(alice_, bob_.user_id).ok());
  EXPECT_EQ(services_->users.update(alice_, bob_.user_id, {{"name", "X"}}, {}).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(services_->teams.create(alice_, {{"name", "Nantes"}}).error().code,
            ErrorCode::kForbidden);
}

TEST_F(ServicesTest, ListQueryValidation) {
  must(services_->contacts.create(alice_, {{"first_name", "A"}, {"city", "Lyon"}}));
  must(services_->contacts.create(alice_, {{"first_name", "B"}, {"city", "Paris"}}));
  ListRequest req;
  req.filter = "city = \"Lyon\"";
  Page page = must(services_->contacts.list(alice_, req));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]["first_name"], "A");
  req = {};
  req.sort = "-nope";
  EXPECT_EQ(services_->contacts.list(alice_, req).error().fields.at("sort"),
            "unknown or unsortable field 'nope'");
  req = {};
  req.limit = 501;
  EXPECT_EQ(services_->contacts.list(alice_, req).error().code, ErrorCode::kBadRequest);
  req = {};
  req.filter = "city = ";
  EXPECT_EQ(services_->contacts.list(alice_, req).error().details["position"], 7);
}

TEST_F(ServicesTest, CompanyDomainUnique) {
  Json acme = must(services_->companies.create(
      alice_, {{"name", "Acme"}, {"domain", "https://www.ACME.fr/contact"}}));
  EXPECT_EQ(acme["domain"], "acme.fr");
  auto dup = services_->companies.create(alice_, {{"name", "Acme 2"}, {"domain", "acme.fr"}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().details["existing_id"], acme["id"]);
}

class DealTest : public ServicesTest {
 protected:
  void SetUp() override {
    ServicesTest::SetUp();
    Json p = must(services_->pipelines.create(
        Actor::system(), {{"name", "Ventes"},
                          {"stages",
                           {{{"name", "Qualification"}, {"probability", 10}},
                            {{"name", "Proposition envoyée"}, {"probability", 50}},
                            {{"name", "Gagnée"}, {"kind", "won"}},
                            {{"name", "Perdue"}, {"kind", "lost"}}}}}));
    pipeline_ = p["id"].get<std::int64_t>();
  }
  std::int64_t pipeline_ = 0;
};

TEST_F(DealTest, DefaultsFromPipeline) {
  Json d =
      must(services_->deals.create(alice_, {{"title", "Licences"}, {"pipeline_id", pipeline_}}));
  EXPECT_EQ(d["stage_id"], "qualification");
  EXPECT_EQ(d["probability"], 10);
  EXPECT_EQ(d["status"], "open");
  EXPECT_EQ(d["currency"], "EUR");
  EXPECT_TRUE(d["closed_at"].is_null());
  EXPECT_FALSE(d["stage_changed_at"].is_null());

  auto bad_stage = services_->deals.create(
      alice_, {{"title", "X"}, {"pipeline_id", pipeline_}, {"stage_id", "nope"}});
  EXPECT_TRUE(bad_stage.error().fields.count("stage_id"));
  auto negative =
      services_->deals.create(alice_, {{"title", "X"}, {"pipeline_id", pipeline_}, {"amount", -1}});
  EXPECT_TRUE(negative.error().fields.count("amount"));
  auto no_pipeline = services_->deals.create(alice_, {{"title", "X"}, {"pipeline_id", 999}});
  EXPECT_TRUE(no_pipeline.error().fields.count("pipeline_id"));
}

TEST_F(DealTest, StageMovesDriveProbabilityStatusAndHistory) {
  Json d =
      must(services_->deals.create(alice_, {{"title", "Licences"}, {"pipeline_id", pipeline_}}));
  const auto id = d["id"].get<std::int64_t>();
  Json moved = must(services_->deals.update(alice_, id, {{"stage_id", "proposition_envoyee"}}, {}));
  EXPECT_EQ(moved["probability"], 50);
  Json explicit_p = must(services_->deals.update(
      alice_, id, {{"stage_id", "qualification"}, {"probability", 33}}, {}));
  EXPECT_EQ(explicit_p["probability"], 33);
  Json won = must(services_->deals.update(alice_, id, {{"stage_id", "gagnee"}}, {}));
  EXPECT_EQ(won["status"], "won");
  EXPECT_EQ(won["probability"], 100);
  EXPECT_FALSE(won["closed_at"].is_null());
  Json reopened = must(services_->deals.update(alice_, id, {{"stage_id", "qualification"}}, {}));
  EXPECT_EQ(reopened["status"], "open");
  EXPECT_TRUE(reopened["closed_at"].is_null());
  EXPECT_EQ(
      services_->deals.update(alice_, id, {{"status", "won"}}, {}).error().fields.at("status"),
      "read-only field");

  Page history = must(services_->timeline->timeline(alice_, "deal", id, 100, ""));
  int stage_changes = 0;
  for (const auto& item : history.items) stage_changes += item["kind"] == "stage_change";
  EXPECT_EQ(stage_changes, 5);  // creation + 4 moves
  EXPECT_EQ(services_->timeline->timeline(bob_, "deal", id, 10, "").error().code,
            ErrorCode::kNotFound);

  // A stage still holding deals cannot be removed, nor the pipeline deleted.
  auto shrink = services_->pipelines.update(Actor::system(), pipeline_,
                                            {{"stages", {{{"name", "Autre"}}}}}, {});
  EXPECT_EQ(shrink.error().code, ErrorCode::kConflict);
  EXPECT_EQ(services_->pipelines.remove(Actor::system(), pipeline_, {}).error().code,
            ErrorCode::kConflict);
}

TEST_F(ServicesTest, MergeMovesEverythingOntoTheSurvivor) {
  Json company = must(services_->companies.create(alice_, {{"name", "Acme"}}));
  Json into = must(services_->contacts.create(
      alice_, {{"first_name", "Jean"}, {"emails", {"jean@acme.fr"}}, {"tags", {"vip"}}}));
  Json from = must(services_->contacts.create(alice_, {{"last_name", "Dupont"},
                                                       {"emails", {"j.dupont@gmail.com"}},
                                                       {"phones", {"0612345678"}},
                                                       {"tags", {"salon", "vip"}},
                                                       {"company_id", company["id"]}}));
  const auto into_id = into["id"].get<std::int64_t>();
  const auto from_id = from["id"].get<std::int64_t>();
  Json call = must(services_->activities.create(
      alice_, {{"type", "call"}, {"subject", "Premier appel"}, {"contact_id", from_id}}));

  EXPECT_EQ(services_->merge->merge(alice_, into_id, into_id).error().code,
            ErrorCode::kValidationFailed);
  EXPECT_EQ(services_->merge->merge(bob_, into_id, from_id).error().code, ErrorCode::kNotFound);

  Json merged = must(services_->merge->merge(alice_, into_id, from_id));
  EXPECT_EQ(merged["first_name"], "Jean");
  EXPECT_EQ(merged["last_name"], "Dupont");
  EXPECT_EQ(merged["emails"], Json::array({"jean@acme.fr", "j.dupont@gmail.com"}));
  EXPECT_EQ(merged["phones"], Json::array({"+33612345678"}));
  EXPECT_EQ(merged["tags"], Json::array({"vip", "salon"}));
  EXPECT_EQ(merged["company_id"], company["id"]);
  EXPECT_EQ(services_->contacts.get(alice_, from_id).error().code, ErrorCode::kNotFound);
  Json moved = must(services_->activities.get(alice_, call["id"].get<std::int64_t>()));
  EXPECT_EQ(moved["contact_id"], into_id);
  // The merged-away address now belongs to the survivor.
  auto again = services_->contacts.create(alice_, {{"emails", {"j.dupont@gmail.com"}}});
  EXPECT_EQ(again.error().details["existing_id"], into_id);
}

// Data migrations and the demo loader write "as of" past instants: the rules' own stamps
// (closed_at, stage_changed_at, completed_at, default occurred_at) follow the effective time.
TEST_F(DealTest, RulesStampTheEffectiveTime) {
  const std::string opened = "2025-05-06T09:00:00.125Z";
  const std::string won_at = "2025-06-17T15:30:00.250Z";
  const Json out = must(db_->store().write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_effective_time(opened));
    RELAIS_ASSIGN_OR_RETURN(
        Json d, services_->deals.create_in(tx, alice_,
                                           {{"title", "Licences"}, {"pipeline_id", pipeline_}}));
    RELAIS_ASSIGN_OR_RETURN(Json c,
                            services_->contacts.create_in(tx, alice_, {{"first_name", "Léa"}}));
    RELAIS_ASSIGN_OR_RETURN(Json a, services_->activities.create_in(
                                        tx, alice_, {{"type", "call"}, {"contact_id", c["id"]}}));
    RELAIS_ASSIGN_OR_RETURN(
        Json t,
        services_->tasks.create_in(tx, alice_, {{"title", "Relancer"}, {"contact_id", c["id"]}}));
    RELAIS_TRY(tx.set_effective_time(won_at));
    RELAIS_ASSIGN_OR_RETURN(Json won,
                            services_->deals.update_in(tx, alice_, d["id"].get<std::int64_t>(),
                                                       {{"stage_id", "gagnee"}}, {}));
    RELAIS_ASSIGN_OR_RETURN(Json done,
                            services_->tasks.update_in(tx, alice_, t["id"].get<std::int64_t>(),
                                                       {{"status", "done"}}, {}));
    return Json{{"deal", d}, {"won", won}, {"activity", a}, {"done", done}};
  }));
  EXPECT_EQ(out["deal"]["created_at"], opened);
  EXPECT_EQ(out["deal"]["stage_changed_at"], opened);
  EXPECT_EQ(out["won"]["created_at"], opened);
  EXPECT_EQ(out["won"]["updated_at"], won_at);
  EXPECT_EQ(out["won"]["stage_changed_at"], won_at);
  EXPECT_EQ(out["won"]["closed_at"], won_at);
  EXPECT_EQ(out["activity"]["occurred_at"], opened);
  EXPECT_EQ(out["done"]["completed_at"], won_at);

  Page history = must(services_->timeline->timeline(
      alice_, "deal", out["deal"]["id"].get<std::int64_t>(), 100, ""));
  std::vector<std::string> stage_times;
  for (const auto& item : history.items) {
    if (item["kind"] == "stage_change") stage_times.push_back(item["at"].get<std::string>());
  }
  EXPECT_EQ(stage_times, (std::vector<std::string>{won_at, opened}));  // newest first
}

TEST_F(ServicesTest, ActivitiesNotesTasks) {
  Json c = must(services_->contacts.create(alice_, {{"first_name", "Léa"}}));
  auto orphan = services_->activities.create(alice_, {{"type", "call"}});
  EXPECT_EQ(orphan.error().code, ErrorCode::kValidationFailed);
  Json a =
      must(services_->activities.create(alice_, {{"type", "meeting"}, {"contact_id", c["id"]}}));
  EXPECT_FALSE(a["occurred_at"].is_null());
  EXPECT_EQ(services_->notes.create(alice_, {{"body", "x"}}).error().code,
            ErrorCode::kValidationFailed);
  Json t = must(services_->tasks.create(alice_, {{"title", "Relancer"}, {"contact_id", c["id"]}}));
  const auto tid = t["id"].get<std::int64_t>();
  Json done = must(services_->tasks.update(alice_, tid, {{"status", "done"}}, {}));
  EXPECT_FALSE(done["completed_at"].is_null());
  Json reopened = must(services_->tasks.update(alice_, tid, {{"status", "open"}}, {}));
  EXPECT_TRUE(reopened["completed_at"].is_null());
}

TEST_F(ServicesTest, CustomFieldsAreValidated) {
  must(services_->custom_fields.create(Actor::system(), {{"entity", "contact"},
                                                         {"key", "secteur"},
                                                         {"label", "Secteur"},
                                                         {"type", "enum"},
                                                         {"options", {"btp", "retail"}}}));
  EXPECT_TRUE(
      services_->contacts.create(alice_, {{"first_name", "A"}, {"custom", {{"secteur", "btp"}}}})
          .ok());
  auto bad =
      services_->contacts.create(alice_, {{"first_name", "B"}, {"custom", {{"secteur", "x"}}}});
  EXPECT_TRUE(bad.error().fields.count("custom.secteur"));
  auto unknown = services_->contacts.create(alice_, {{"first_name", "C"}, {"custom", {{"zz", 1}}}});
  EXPECT_EQ(unknown.error().fields.at("custom.zz"), "unknown custom field");
}

// Definitions are read once per unit of work; one written in the same unit must be seen.
TEST_F(ServicesTest, CustomFieldDefinitionsWrittenInAUnitAreSeenByItsLaterRecords) {
  auto done = db_->store().write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(services_->contacts.create_in(tx, alice_, {{"first_name", "Avant"}}));
    Json def = {{"entity", "contact"}, {"key", "secteur"}, {"label", "Secteur"}, {"type", "text"}};
    RELAIS_TRY(services_->custom_fields.create_in(tx, Actor::system(), def));
    return services_->contacts.create_in(
        tx, alice_, {{"first_name", "Après"}, {"custom", {{"secteur", "BTP"}}}});
  });
  ASSERT_TRUE(done.ok()) << done.error().to_json().dump();
  EXPECT_EQ((*done)["custom"]["secteur"], "BTP");

  auto removed = db_->store().write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(services_->contacts.create_in(
        tx, alice_, {{"first_name", "Encore"}, {"custom", {{"secteur", "BTP"}}}}));
    ListRequest all;
    RELAIS_ASSIGN_OR_RETURN(Page defs, services_->custom_fields.list(Actor::system(), all));
    const std::int64_t id = defs.items.at(0)["id"].get<std::int64_t>();
    RELAIS_TRY(services_->custom_fields.remove_in(tx, Actor::system(), id, std::nullopt));
    return services_->contacts.create_in(
        tx, alice_, {{"first_name", "Plus"}, {"custom", {{"secteur", "BTP"}}}});
  });
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().fields.at("custom.secteur"), "unknown custom field");
}

TEST_F(ServicesTest, LoginSessionsAndTokens) {
  auto& auth = services_->auth;
  EXPECT_EQ(auth.login("alice@example.fr", "wrong-password", "10.0.0.1").error().message,
            "invalid e-mail or password");
  EXPECT_EQ(auth.login("nobody@example.fr", "wrong-password", "10.0.0.1").error().message,
            "invalid e-mail or password");
  LoginResult login = must(auth.login(" Alice@Example.fr ", "motdepasse-solide", "10.0.0.1"));
  EXPECT_EQ(login.user["email"], "alice@example.fr");
  EXPECT_FALSE(login.csrf_token.empty());
  Authenticated who = must(auth.authenticate(login.token));
  EXPECT_EQ(who.actor.user_id, alice_.user_id);
  EXPECT_EQ(who.actor.role, Role::kSales);
  EXPECT_EQ(who.actor.team_id, lyon_);
  EXPECT_EQ(who.kind, "session");
  EXPECT_EQ(who.csrf_token, login.csrf_token);

  Json api = must(services_->tokens.create(who.actor, login.token, TokenRequest{"CI"}));
  EXPECT_EQ(api["token"].get<std::string>().rfind("rls_", 0), 0u);
  EXPECT_EQ(must(auth.authenticate(api["token"])).kind, "api_token");

  EXPECT_TRUE(auth.logout(login.token).ok());
  EXPECT_EQ(auth.authenticate(login.token).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(auth.authenticate("garbage").error().code, ErrorCode::kUnauthorized);

  // Deactivated users can neither sign in nor use existing tokens.
  must(services_->users.update(Actor::system(), alice_.user_id, {{"active", false}}, {}));
  EXPECT_EQ(auth.authenticate(api["token"]).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(auth.login("alice@example.fr", "motdepasse-solide", "10.0.0.1").error().code,
            ErrorCode::kUnauthorized);
}

TEST_F(ServicesTest, LoginFailuresAreThrottledPerAccountAndAddress) {
  auto& auth = services_->auth;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(auth.login("bob@example.fr", "nope-nope", "10.0.0.2").error().code,
              ErrorCode::kUnauthorized);
  }
  // Even the right password is refused from the address that failed...
  EXPECT_EQ(auth.login("bob@example.fr", "motdepasse-solide", "10.0.0.2").error().code,
            ErrorCode::kRateLimited);
  // ...but not from another one: a burst of guesses does not lock the real user out.
  EXPECT_TRUE(auth.login("bob@example.fr", "motdepasse-solide", "10.0.0.3").ok());
  EXPECT_TRUE(auth.login("alice@example.fr", "motdepasse-solide", "10.0.0.2").ok());
}

TEST_F(ServicesTest, CreateUserRules) {
  auto& auth = services_->auth;
  EXPECT_EQ(auth.create_user(alice_, {{"email", "x@example.fr"}, {"role", "sales"}}, "longenough")
                .error()
                .code,
            ErrorCode::kForbidden);
  EXPECT_TRUE(
      auth.create_user(Actor::system(), {{"email", "x@example.fr"}, {"role", "sales"}}, "short")
          .error()
          .fields.count("password"));
  // The password policy (password_policy_test.cpp) applies, on the field "password".
  for (const char* weak : {"elevenchars", "            ", "Password1234"}) {
    auto refused =
        auth.create_user(Actor::system(), {{"email", "x@example.fr"}, {"role", "sales"}}, weak);
    ASSERT_FALSE(refused.ok()) << weak;
    EXPECT_EQ(refused.error().code, ErrorCode::kValidationFailed) << weak;
    EXPECT_EQ(refused.error().fields.count("password"), 1u) << weak;
  }
  auto dup = auth.create_user(Actor::system(), {{"email", "ALICE@example.fr"}, {"role", "sales"}},
                              "long enough, really");
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().details["existing_id"], alice_.user_id);
}

}  // namespace
}  // namespace relais::domain
