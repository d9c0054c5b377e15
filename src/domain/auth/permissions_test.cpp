#include "domain/auth/permissions.hpp"

#include <gtest/gtest.h>

namespace relais::domain {
namespace {

constexpr std::int64_t kMe = 10, kColleague = 11, kStranger = 12, kMyTeam = 1, kOtherTeam = 2;

Actor actor(Role role) { return Actor{kMe, role, kMyTeam, "fr"}; }

Json mine() { return {{"id", 1}, {"owner_id", kMe}, {"team_id", kOtherTeam}}; }
Json teams() { return {{"id", 2}, {"owner_id", kColleague}, {"team_id", kMyTeam}}; }
Json unowned() { return {{"id", 3}, {"owner_id", nullptr}, {"team_id", nullptr}}; }
Json foreign() { return {{"id", 4}, {"owner_id", kStranger}, {"team_id", kOtherTeam}}; }

// Expected reach per role and schema, straight from the table in permissions.hpp.
struct Row {
  const EntitySchema& schema;
  Role role;
  bool read_scope, read_foreign, write_scope, write_foreign, create;
};

TEST(Permissions, MatrixOnOwnedRecords) {
  const Row rows[] = {
      // schema            role               rS     rF     wS     wF     C
      {contact_schema(), Role::kAdmin, true, true, true, true, true},
      {contact_schema(), Role::kManager, true, true, true, true, true},
      {contact_schema(), Role::kSales, true, false, true, false, true},
      {contact_schema(), Role::kMarketing, true, false, true, false, true},
      {contact_schema(), Role::kSupport, true, false, false, false, false},
      {contact_schema(), Role::kReadonly, true, false, false, false, false},
      {company_schema(), Role::kSales, true, false, true, false, true},
      {company_schema(), Role::kMarketing, true, false, true, false, true},
      {company_schema(), Role::kSupport, true, false, false, false, false},
      {deal_schema(), Role::kAdmin, true, true, true, true, true},
      {deal_schema(), Role::kManager, true, true, true, true, true},
      {deal_schema(), Role::kSales, true, false, true, false, true},
      {deal_schema(), Role::kMarketing, true, false, false, false, false},
      {deal_schema(), Role::kSupport, true, false, false, false, false},
      {deal_schema(), Role::kReadonly, true, false, false, false, false},
      {activity_schema(), Role::kSupport, true, false, true, false, true},
      {note_schema(), Role::kSupport, true, false, true, false, true},
      {task_schema(), Role::kSupport, true, false, true, false, true},
      {task_schema(), Role::kMarketing, true, false, true, false, true},
      {task_schema(), Role::kReadonly, true, false, false, false, false},
      {activity_schema(), Role::kManager, true, true, true, true, true},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.schema.name + std::string(" as ") + role_name(r.role));
    const Actor a = actor(r.role);
    for (const Json& rec : {mine(), teams(), unowned()}) {
      EXPECT_EQ(can_read(a, r.schema, rec), r.read_scope) << rec;
      EXPECT_EQ(can_write(a, r.schema, rec), r.write_scope) << rec;
    }
    EXPECT_EQ(can_read(a, r.schema, foreign()), r.read_foreign);
    EXPECT_EQ(can_write(a, r.schema, foreign()), r.write_foreign);
    EXPECT_EQ(can_create(a, r.schema), r.create);
    EXPECT_TRUE(can_list(a, r.schema));
    const Visibility v = visibility(a, r.schema);
    EXPECT_EQ(v.all, r.read_foreign);
    if (!v.all) {
      EXPECT_EQ(v.owner_id, kMe);
      EXPECT_EQ(v.team_id, kMyTeam);
      EXPECT_TRUE(v.include_unowned);
    }
  }
}

TEST(Permissions, ConfigurationSchemas) {
  const Json pipeline = {{"id", 1}, {"name", "Ventes"}};
  for (const EntitySchema* s : {&pipeline_schema(), &custom_field_schema()}) {
    for (Role role : {Role::kAdmin, Role::kManager, Role::kSales, Role::kMarketing, Role::kSupport,
                      Role::kReadonly}) {
      SCOPED_TRACE(s->name + std::string(" as ") + role_name(role));
      const Actor a = actor(role);
      const bool manages = role == Role::kAdmin || role == Role::kManager;
      EXPECT_TRUE(can_read(a, *s, pipeline));
      EXPECT_TRUE(can_list(a, *s));
      EXPECT_EQ(can_write(a, *s, pipeline), manages);
      EXPECT_EQ(can_create(a, *s), manages);
      EXPECT_TRUE(visibility(a, *s).all);
    }
  }
}

TEST(Permissions, EveryRoleReadsTheDirectoryOnlyAdminManagesIt) {
  const Json me = {{"id", kMe}, {"email", "me@example.com"}};
  const Json other = {{"id", kStranger}, {"email", "x@example.com"}};
  const Json my_team = {{"id", kMyTeam}, {"name", "Lyon"}};
  const Json other_team = {{"id", kOtherTeam}, {"name", "Paris"}};
  for (Role role : {Role::kAdmin, Role::kManager, Role::kSales, Role::kMarketing, Role::kSupport,
                    Role::kReadonly}) {
    SCOPED_TRACE(role_name(role));
    const Actor a = actor(role);
    const bool admin = role == Role::kAdmin;
    EXPECT_TRUE(can_read(a, user_schema(), me));
    EXPECT_TRUE(can_read(a, user_schema(), other));
    EXPECT_TRUE(can_read(a, team_schema(), my_team));
    EXPECT_TRUE(can_read(a, team_schema(), other_team));
    EXPECT_TRUE(can_list(a, user_schema()));
    EXPECT_TRUE(can_list(a, team_schema()));
    EXPECT_TRUE(visibility(a, user_schema()).all);
    EXPECT_TRUE(visibility(a, team_schema()).all);
    EXPECT_EQ(can_create(a, user_schema()), admin);
    EXPECT_EQ(can_create(a, team_schema()), admin);
    EXPECT_EQ(can_write(a, user_schema(), me), admin);  // not even their own record
    EXPECT_EQ(can_write(a, user_schema(), other), admin);
    EXPECT_EQ(can_write(a, team_schema(), my_team), admin);
    EXPECT_EQ(can_write(a, team_schema(), other_team), admin);
  }
}

TEST(Permissions, SystemActorMayDoEverything) {
  const Actor sys = Actor::system();
  for (const EntitySchema* s : all_schemas()) {
    EXPECT_TRUE(can_create(sys, *s)) << s->name;
    EXPECT_TRUE(can_write(sys, *s, foreign())) << s->name;
    EXPECT_TRUE(can_read(sys, *s, foreign())) << s->name;
    EXPECT_TRUE(visibility(sys, *s).all);
  }
  // A "system" role without user id 0 is just an admin; a readonly user id 0 is still system.
  Actor zero{0, Role::kReadonly, std::nullopt, "fr"};
  EXPECT_TRUE(can_write(zero, deal_schema(), foreign()));
}

TEST(Permissions, NoTeamMeansOnlyOwnAndUnowned) {
  Actor a{kMe, Role::kSales, std::nullopt, "fr"};
  EXPECT_TRUE(can_write(a, contact_schema(), mine()));
  EXPECT_TRUE(can_write(a, contact_schema(), unowned()));
  EXPECT_FALSE(can_read(a, contact_schema(), teams()));
  EXPECT_FALSE(visibility(a, contact_schema()).team_id.has_value());
}

TEST(Permissions, RoleNamesRoundTrip) {
  for (Role role : {Role::kAdmin, Role::kManager, Role::kSales, Role::kMarketing, Role::kSupport,
                    Role::kReadonly}) {
    EXPECT_EQ(parse_role(role_name(role)), role);
  }
  EXPECT_FALSE(parse_role("root").has_value());
  EXPECT_FALSE(parse_role("Admin").has_value());
}

// The policy is the schema's declaration, not its name: a new record type follows the row it
// declares, and one that declares none is admin-only.
TEST(Permissions, PolicyComesFromTheSchemaDeclaration) {
  EntitySchema added{"visit", "visits", contact_schema().fields, true};
  for (Role role :
       {Role::kManager, Role::kSales, Role::kMarketing, Role::kSupport, Role::kReadonly}) {
    EXPECT_EQ(schema_access(actor(role), added).read, Reach::kNone) << role_name(role);
    EXPECT_FALSE(can_list(actor(role), added));
  }
  EXPECT_TRUE(can_create(actor(Role::kAdmin), added));

  added.access = AccessPolicy::kEngagement;
  EXPECT_TRUE(can_create(actor(Role::kSupport), added));
  EXPECT_TRUE(can_write(actor(Role::kSupport), added, teams()));
  EXPECT_FALSE(can_read(actor(Role::kSupport), added, foreign()));
  added.access = AccessPolicy::kDeal;
  EXPECT_FALSE(can_create(actor(Role::kMarketing), added));
  EXPECT_TRUE(can_read(actor(Role::kMarketing), added, mine()));

  // A directory-like type declared with the users' self scope.
  EntitySchema people{"person", "people", user_schema().fields, false};
  people.access = AccessPolicy::kDirectory;
  people.self_scope = SelfScope::kActorUser;
  EXPECT_TRUE(in_scope(actor(Role::kSales), people, Json{{"id", kMe}}));
  EXPECT_FALSE(in_scope(actor(Role::kSales), people, Json{{"id", kColleague}}));
  EXPECT_TRUE(can_read(actor(Role::kSales), people, Json{{"id", kColleague}}));
  EXPECT_FALSE(can_write(actor(Role::kManager), people, Json{{"id", kColleague}}));
}

TEST(Permissions, EveryBuiltInTypeDeclaresItsPolicy) {
  for (const EntitySchema* schema : all_schemas()) {
    EXPECT_NE(schema->access, AccessPolicy::kAdminOnly) << schema->name;
  }
}

}  // namespace
}  // namespace relais::domain
