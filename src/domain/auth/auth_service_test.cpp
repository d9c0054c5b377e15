// Self-service profile and password changes on the real SQLite store: every role may change its
// own name/locale/time zone and password, nothing else, and the audit names the user.
#include "domain/auth/auth_service.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "domain/services.hpp"
#include "domain/testing/services_fixture.hpp"

namespace relais::domain {
namespace {

struct AuditRow {
  std::int64_t actor_user_id = 0;
  std::string action;
  std::string after_json;
};

class SelfServiceTest : public testing::ServicesFixture {
 protected:
  void SetUp() override {
    ServicesFixture::SetUp();
    sales_ = make_user("sam@example.fr", Role::kSales);
    reader_ = make_user("rita@example.fr", Role::kReadonly);
  }

  std::string db_path() const { return db_->path(); }

  // Reads the audit log behind the Store's back: the port has no audit reader for users.
  std::vector<AuditRow> audit_of_user(std::int64_t id) {
    sqlite3* db = nullptr;
    std::vector<AuditRow> rows;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << db_path();
      sqlite3_close(db);
      return rows;
    }
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT actor_user_id, action, coalesce(after_json, '') FROM audit_log "
                       "WHERE entity = 'user' AND record_id = ? ORDER BY id",
                       -1, &stmt, nullptr);
    sqlite3_bind_int64(stmt, 1, id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      rows.push_back({sqlite3_column_int64(stmt, 0),
                      reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)),
                      reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2))});
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  Actor sales_, reader_;
};

TEST_F(SelfServiceTest, EveryRoleChangesItsOwnNameLocaleAndTimeZone) {
  auto& auth = services_->auth;
  Json saved = must(auth.update_own_profile(
      sales_, {{"name", "Sam Martin"}, {"locale", "en"}, {"time_zone", "America/Montreal"}}));
  EXPECT_EQ(saved["id"], sales_.user_id);
  EXPECT_EQ(saved["name"], "Sam Martin");
  EXPECT_EQ(saved["locale"], "en");
  EXPECT_EQ(saved["time_zone"], "America/Montreal");
  EXPECT_EQ(saved["role"], "sales");
  EXPECT_EQ(saved["version"], 2);

  // The next session sees the saved language.
  LoginResult login = must(auth.login("sam@example.fr", kPassword, "10.0.0.1"));
  EXPECT_EQ(must(auth.authenticate(login.token)).actor.locale, "en");

  Json read_only = must(auth.update_own_profile(reader_, {{"locale", "en"}}));
  EXPECT_EQ(read_only["locale"], "en");

  // Audited through the record path, with the user (not the system) as actor.
  const auto audit = audit_of_user(sales_.user_id);
  ASSERT_EQ(audit.size(), 2u);  // create (by the system), then the profile change
  EXPECT_EQ(audit[1].action, "update");
  EXPECT_EQ(audit[1].actor_user_id, sales_.user_id);
  EXPECT_EQ(Json::parse(audit[1].after_json)["locale"], "en");

  // Nothing changed: no new version, no audit entry.
  EXPECT_EQ(must(auth.update_own_profile(sales_, {{"locale", "en"}}))["version"], 2);
  EXPECT_EQ(audit_of_user(sales_.user_id).size(), 2u);
}

TEST_F(SelfServiceTest, ProfileRefusesOtherFieldsAndInvalidValues) {
  auto& auth = services_->auth;
  auto role = auth.update_own_profile(sales_, {{"locale", "en"}, {"role", "admin"}});
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(role.error().fields.count("role"), 1u);
  EXPECT_EQ(role.error().fields.count("locale"), 0u);

  for (const char* field : {"email", "team_id", "active", "id", "version", "password"}) {
    auto refused = auth.update_own_profile(sales_, {{field, 1}});
    ASSERT_FALSE(refused.ok()) << field;
    EXPECT_EQ(refused.error().code, ErrorCode::kValidationFailed) << field;
    EXPECT_EQ(refused.error().fields.count(field), 1u) << field;
  }

  auto locale = auth.update_own_profile(sales_, {{"locale", "de"}});
  ASSERT_FALSE(locale.ok());
  EXPECT_EQ(locale.error().fields.count("locale"), 1u);
  auto zone = auth.update_own_profile(sales_, {{"time_zone", 42}});
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().fields.count("time_zone"), 1u);
  auto name = auth.update_own_profile(sales_, {{"name", std::string(5000, 'x')}});
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().fields.count("name"), 1u);

  // Nothing was half-written by the refusals.
  Json user = must(services_->users.get(sales_, sales_.user_id));
  EXPECT_EQ(user["role"], "sales");
  EXPECT_EQ(user["locale"], "fr");
  EXPECT_EQ(user["version"], 1);

  EXPECT_EQ(auth.update_own_profile(Actor::system(), {{"locale", "en"}}).error().code,
            ErrorCode::kValidationFailed);
  // The ordinary record path still refuses a sales user writing users.
  EXPECT_EQ(services_->users.update(sales_, sales_.user_id, {{"locale", "en"}}, {}).error().code,
            ErrorCode::kForbidden);
}

TEST_F(SelfServiceTest, ChangePasswordVerifiesTheCurrentOne) {
  auto& auth = services_->auth;
  auto wrong = auth.change_password(sales_, "not-the-password", "un-nouveau-secret");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(wrong.error().fields.count("current_password"), 1u);

  auto short_one = auth.change_password(sales_, kPassword, "court");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().fields.count("new_password"), 1u);
  // Twelve characters, counted as characters and not bytes; not a common password.
  EXPECT_FALSE(auth.change_password(sales_, kPassword, "ééééééééééé").ok());
  EXPECT_EQ(
      auth.change_password(sales_, kPassword, "qwerty123456").error().fields.count("new_password"),
      1u);
  EXPECT_EQ(auth.change_password(sales_, kPassword, "              ")
                .error()
                .fields.count("new_password"),
            1u);
  auto same = auth.change_password(sales_, kPassword, kPassword);
  EXPECT_EQ(same.error().fields.count("new_password"), 1u);

  ASSERT_TRUE(auth.change_password(sales_, kPassword, "un-nouveau-secret").ok());
  EXPECT_EQ(auth.login("sam@example.fr", kPassword, "10.0.0.1").error().code,
            ErrorCode::kUnauthorized);
  EXPECT_TRUE(auth.login("sam@example.fr", "un-nouveau-secret", "10.0.0.1").ok());
  // The old password no longer counts as the current one.
  EXPECT_EQ(auth.change_password(sales_, kPassword, "encore-un-autre")
                .error()
                .fields.count("current_password"),
            1u);

  const auto audit = audit_of_user(sales_.user_id);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "password_change");
  EXPECT_EQ(audit.back().actor_user_id, sales_.user_id);
  EXPECT_EQ(audit.back().after_json, "");  // no secret, not even a hash
}

TEST_F(SelfServiceTest, WrongCurrentPasswordsAreRateLimitedPerUser) {
  auto& auth = services_->auth;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        auth.change_password(reader_, "guess-" + std::to_string(i), "nouveau-secret").error().code,
        ErrorCode::kValidationFailed);
  }
  EXPECT_EQ(auth.change_password(reader_, kPassword, "nouveau-secret").error().code,
            ErrorCode::kRateLimited);
  // Another user is not affected.
  EXPECT_TRUE(auth.change_password(sales_, kPassword, "nouveau-secret").ok());
  EXPECT_EQ(auth.change_password(Actor::system(), kPassword, "nouveau-secret").error().code,
            ErrorCode::kValidationFailed);
}

TEST_F(SelfServiceTest, ChangePasswordRevokesOtherSessionsAndTokensButKeepsTheCurrentOne) {
  auto& auth = services_->auth;
  const LoginResult current = must(auth.login("sam@example.fr", kPassword, "10.0.0.1"));
  const LoginResult other = must(auth.login("sam@example.fr", kPassword, "10.0.0.2"));
  const std::string api_token =
      must(services_->tokens.create(sales_, "", TokenRequest{"script"}))["token"]
          .get<std::string>();
  const LoginResult someone_else = must(auth.login("rita@example.fr", kPassword, "10.0.0.3"));

  ASSERT_TRUE(auth.change_password(sales_, kPassword, "un-nouveau-secret", current.token).ok());

  EXPECT_TRUE(auth.authenticate(current.token).ok());
  EXPECT_EQ(auth.authenticate(other.token).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(auth.authenticate(api_token).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(auth.authenticate(someone_else.token).ok());

  // Without a token to keep (e.g. a caller that is not a session), none survives.
  ASSERT_TRUE(auth.change_password(sales_, "un-nouveau-secret", "encore-un-autre").ok());
  EXPECT_EQ(auth.authenticate(current.token).error().code, ErrorCode::kUnauthorized);
}

TEST_F(SelfServiceTest, DeactivatingAUserRevokesAllTheirSessions) {
  auto& auth = services_->auth;
  const Actor admin = make_user("ada@example.fr", Role::kAdmin);
  const LoginResult session = must(auth.login("sam@example.fr", kPassword, "10.0.0.1"));
  const std::string api_token =
      must(services_->tokens.create(sales_, "", TokenRequest{"script"}))["token"]
          .get<std::string>();
  const LoginResult admin_session = must(auth.login("ada@example.fr", kPassword, "10.0.0.2"));

  // An ordinary change keeps the sessions.
  must(services_->users.update(admin, sales_.user_id, {{"name", "Sam"}}, std::nullopt));
  EXPECT_TRUE(auth.authenticate(session.token).ok());

  must(services_->users.update(admin, sales_.user_id, {{"active", false}}, std::nullopt));
  // Reactivating does not bring the old sessions and tokens back.
  must(services_->users.update(admin, sales_.user_id, {{"active", true}}, std::nullopt));
  EXPECT_EQ(auth.authenticate(session.token).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(auth.authenticate(api_token).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(auth.authenticate(admin_session.token).ok());
  EXPECT_TRUE(auth.login("sam@example.fr", kPassword, "10.0.0.1").ok());
}

}  // namespace
}  // namespace relais::domain
