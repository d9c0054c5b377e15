// Record-level rules of the write path across teams, on a real store: references to records
// the actor cannot read (reference_checks.hpp), the owner/team rule on create and update, and
// duplicate conflicts that must not name unreadable records (duplicate_conflict.hpp).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "domain/testing/services_fixture.hpp"

namespace relais::domain {
namespace {

class RecordPermissionsTest : public testing::TwoTeamsFixture {
 protected:
  void SetUp() override {
    TwoTeamsFixture::SetUp();
    alain_ = make_user("alain@example.fr", Role::kSales, lyon_);
    pipeline_ = make_pipeline();
  }

  // A valid body of `schema` for a sales user, linked (where it must be) to `contact`.
  Json minimal_body(const EntitySchema& schema, std::int64_t contact) const {
    if (schema.name == "contact") return {{"first_name", "Min"}};
    if (schema.name == "company") return {{"name", "Min"}};
    if (schema.name == "deal") return {{"title", "Min"}, {"pipeline_id", pipeline_}};
    if (schema.name == "activity") return {{"type", "call"}, {"contact_id", contact}};
    if (schema.name == "task") return {{"title", "Min"}};
    return {{"body", "Min"}, {"contact_id", contact}};  // note
  }

  RecordService& service_of(const EntitySchema& schema) {
    return *services_->by_plural(schema.plural);
  }

  // One record of each owned type, created by `actor`; keyed by singular name.
  std::map<std::string, std::int64_t> records_of(const Actor& actor) {
    std::map<std::string, std::int64_t> ids;
    ids["contact"] =
        must(services_->contacts.create(actor, {{"first_name", "C"}}))["id"].get<std::int64_t>();
    ids["company"] =
        must(services_->companies.create(actor, {{"name", "Co"}}))["id"].get<std::int64_t>();
    ids["deal"] =
        must(services_->deals.create(actor, {{"title", "D"}, {"pipeline_id", pipeline_}}))["id"]
            .get<std::int64_t>();
    for (const char* name : {"activity", "task", "note"}) {
      const EntitySchema& schema = *find_schema(name);
      ids[name] = must(service_of(schema).create(actor, minimal_body(schema, ids["contact"])))["id"]
                      .get<std::int64_t>();
    }
    return ids;
  }

  // The error of `error_for(id)` with `id` spelled as `as`: two errors that differ only in
  // the id they were asked about compare equal.
  static std::string shape(const Error& error, std::int64_t id, std::int64_t as) {
    std::string text = error.to_json().dump();
    const std::string from = std::to_string(id);
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), std::to_string(as));
    }
    return text;
  }

  std::int64_t pipeline_ = 0;
  Actor alain_;  // sales, Lyon
};

constexpr std::int64_t kMissing = 987654;

// Every reference field of every owned record type, on create and on update: a record of
// another team is answered exactly like a record that does not exist.
TEST_F(RecordPermissionsTest, ReferencesToUnreadableRecordsFailLikeMissingOnes) {
  const auto theirs = records_of(bob_);
  const auto mine = records_of(alice_);
  int checked = 0;
  for (const EntitySchema* schema : all_schemas()) {
    if (!schema->owned) continue;
    for (const FieldDef& field : schema->fields) {
      if (field.type != FieldType::kReference && field.type != FieldType::kReferenceList) continue;
      const EntitySchema* target = find_schema(field.references);
      ASSERT_NE(target, nullptr) << field.name;
      if (!target->owned) continue;  // users, teams, pipelines: every role reads them
      SCOPED_TRACE(schema->name + "." + field.name);
      auto value = [&](std::int64_t id) {
        return field.type == FieldType::kReferenceList ? Json::array({id}) : Json(id);
      };
      const std::int64_t hidden = theirs.at(target->name);
      auto create_with = [&](std::int64_t id) {
        Json body = minimal_body(*schema, mine.at("contact"));
        body[field.name] = value(id);
        return service_of(*schema).create(alice_, body);
      };
      auto missing = create_with(kMissing);
      auto unreadable = create_with(hidden);
      ASSERT_FALSE(missing.ok());
      ASSERT_FALSE(unreadable.ok());
      EXPECT_EQ(unreadable.error().code, ErrorCode::kValidationFailed);
      EXPECT_EQ(shape(unreadable.error(), hidden, kMissing), missing.error().to_json().dump());

      auto patch_with = [&](std::int64_t id) {
        return service_of(*schema).update(alice_, mine.at(schema->name), {{field.name, value(id)}},
                                          std::nullopt);
      };
      auto patched_missing = patch_with(kMissing);
      auto patched_unreadable = patch_with(hidden);
      ASSERT_FALSE(patched_missing.ok());
      ASSERT_FALSE(patched_unreadable.ok());
      EXPECT_EQ(shape(patched_unreadable.error(), hidden, kMissing),
                patched_missing.error().to_json().dump());
      // A record of the actor's own team links fine.
      const std::int64_t teammates =
          must(service_of(*target).create(alain_, minimal_body(*target, mine.at("contact"))))["id"]
              .get<std::int64_t>();
      EXPECT_TRUE(patch_with(teammates).ok());
      ++checked;
    }
  }
  // contact.company_id, deal.contact_ids, deal.company_id, and contact/company/deal on
  // activities, tasks and notes.
  EXPECT_EQ(checked, 12);
}

TEST_F(RecordPermissionsTest, ALinkThatBecameUnreadableDoesNotBlockOtherChanges) {
  const auto contact = must(services_->contacts.create(alice_, {{"first_name", "Shared"}}));
  const auto other = must(services_->contacts.create(alice_, {{"first_name", "Other"}}));
  Json deal = must(services_->deals.create(
      alice_, {{"title", "D"}, {"pipeline_id", pipeline_}, {"contact_ids", {contact["id"]}}}));
  const auto deal_id = deal["id"].get<std::int64_t>();
  // The contact moves to Paris (an admin may do that); Lyon no longer reads it.
  must(services_->contacts.update(Actor::system(), contact["id"].get<std::int64_t>(),
                                  {{"owner_id", bob_.user_id}, {"team_id", paris_}}, std::nullopt));
  EXPECT_TRUE(services_->deals.update(alice_, deal_id, {{"amount", 500}}, std::nullopt).ok());
  // Adding a readable contact next to it is fine: only added ids are checked.
  EXPECT_TRUE(
      services_->deals
          .update(alice_, deal_id, {{"contact_ids", {contact["id"], other["id"]}}}, std::nullopt)
          .ok());
}

// The owner/team rule of create holds on update: one rule for both paths.
TEST_F(RecordPermissionsTest, PatchCannotPutARecordWhereCreateCouldNot) {
  const std::vector<Json> placements = {
      {{"owner_id", bob_.user_id}, {"team_id", paris_}},   // another team's: refused
      {{"owner_id", bob_.user_id}},                        // create: team defaults to Lyon
      {{"team_id", paris_}},                               // still owned by alice
      {{"owner_id", alain_.user_id}, {"team_id", lyon_}},  // a teammate's: fine
  };
  for (const Json& placement : placements) {
    SCOPED_TRACE(placement.dump());
    Json body = placement;
    body["first_name"] = "Placed";
    auto created = services_->contacts.create(alice_, body);
    const auto id = must(services_->contacts.create(alice_, {{"first_name", "Mine"}}))["id"]
                        .get<std::int64_t>();
    auto patched = services_->contacts.update(alice_, id, placement, std::nullopt);
    EXPECT_EQ(created.ok(), patched.ok());
    if (!created.ok()) {
      EXPECT_EQ(created.error().code, ErrorCode::kForbidden);
      EXPECT_EQ(patched.error().to_json(), created.error().to_json());
      // Nothing moved: the contact is still alice's, in Lyon, and bob does not see it.
      Json still = must(services_->contacts.get(alice_, id));
      EXPECT_EQ(still["owner_id"], alice_.user_id);
      EXPECT_EQ(still["team_id"], lyon_);
      EXPECT_EQ(services_->contacts.get(bob_, id).error().code, ErrorCode::kNotFound);
    }
  }
  // Every owned type follows the same rule (it is the record service's, not the contact's).
  const auto note_contact = must(services_->contacts.create(alice_, {{"first_name", "N"}}));
  Json note =
      must(services_->notes.create(alice_, {{"body", "b"}, {"contact_id", note_contact["id"]}}));
  auto moved = services_->notes.update(alice_, note["id"].get<std::int64_t>(),
                                       {{"owner_id", bob_.user_id}, {"team_id", paris_}}, {});
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, ErrorCode::kForbidden);
}

TEST_F(RecordPermissionsTest, DuplicateConflictsNameOnlyReadableHolders) {
  Json theirs = must(services_->contacts.create(bob_, {{"emails", {"pris@example.fr"}}}));
  Json team_mates = must(services_->contacts.create(alain_, {{"emails", {"lyon@example.fr"}}}));

  auto hidden = services_->contacts.create(alice_, {{"emails", {"PRIS@example.fr"}}});
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().code, ErrorCode::kConflict);  // still taken
  EXPECT_FALSE(hidden.error().details.contains("existing_id"));
  const std::string id_text = theirs["id"].dump();
  EXPECT_EQ(hidden.error().to_json().dump().find("contact " + id_text), std::string::npos)
      << hidden.error().to_json();
  EXPECT_NE(hidden.error().message.find("pris@example.fr"), std::string::npos);
  EXPECT_TRUE(hidden.error().fields.count("emails"));

  // On update too.
  const auto mine =
      must(services_->contacts.create(alice_, {{"first_name", "A"}}))["id"].get<std::int64_t>();
  auto patched =
      services_->contacts.update(alice_, mine, {{"emails", {"pris@example.fr"}}}, std::nullopt);
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(patched.error().details.contains("existing_id"));

  // A readable holder is named, as before (the client offers to open or merge it).
  auto named = services_->contacts.create(alice_, {{"emails", {"lyon@example.fr"}}});
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.error().details["existing_id"], team_mates["id"]);
  auto for_admin = services_->contacts.create(Actor::system(), {{"emails", {"pris@example.fr"}}});
  EXPECT_EQ(for_admin.error().details["existing_id"], theirs["id"]);

  // Company domains alike.
  Json company = must(services_->companies.create(bob_, {{"name", "B"}, {"domain", "b.fr"}}));
  auto domain = services_->companies.create(alice_, {{"name", "A"}, {"domain", "b.fr"}});
  ASSERT_FALSE(domain.ok());
  EXPECT_EQ(domain.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(domain.error().details.contains("existing_id"));
  EXPECT_EQ(domain.error().message.find(company["id"].dump()), std::string::npos);
  EXPECT_NE(domain.error().message.find("b.fr"), std::string::npos);
  auto domain_named = services_->companies.create(bob_, {{"name", "B2"}, {"domain", "b.fr"}});
  EXPECT_EQ(domain_named.error().details["existing_id"], company["id"]);
}

}  // namespace
}  // namespace relais::domain
