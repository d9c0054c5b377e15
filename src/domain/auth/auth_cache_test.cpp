// AuthService with its session cache on the real SQLite store: once a token is cached, logout,
// a password change, deactivation and a role change still take effect on the very next call
// in the same process, and within kSessionCacheTtl (1 s) in another process on the database.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "domain/auth/auth_service.hpp"
#include "domain/services.hpp"
#include "domain/testing/services_fixture.hpp"
#include "storage/open.hpp"

namespace relais::domain {
namespace {

class AuthCacheTest : public testing::ServicesFixture {
 protected:
  void SetUp() override {
    ServicesFixture::SetUp();
    admin_ = make_user("ada@example.fr", Role::kAdmin);
    sales_ = make_user("sam@example.fr", Role::kSales);
  }

  // Signs in and resolves the token twice, so the second answer came from the cache.
  std::string cached_session(const std::string& email, const std::string& address) {
    const LoginResult login = must(services_->auth.login(email, kPassword, address));
    must(services_->auth.authenticate(login.token));
    EXPECT_EQ(services_->session_cache->size() > 0, true);
    must(services_->auth.authenticate(login.token));
    return login.token;
  }

  Actor admin_, sales_;
};

TEST_F(AuthCacheTest, RepeatedAuthenticationIsServedFromTheCache) {
  const std::string token = cached_session("sam@example.fr", "10.0.0.1");
  EXPECT_EQ(services_->session_cache->size(), 1u);
  const Authenticated again = must(services_->auth.authenticate(token));
  EXPECT_EQ(again.actor.user_id, sales_.user_id);
  EXPECT_EQ(again.actor.role, Role::kSales);
  EXPECT_EQ(again.kind, "session");
  EXPECT_FALSE(again.csrf_token.empty());
  // Refusals are not cached.
  EXPECT_EQ(services_->auth.authenticate("not-a-token").error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(services_->session_cache->size(), 1u);
}

TEST_F(AuthCacheTest, LogoutRefusesTheTokenImmediately) {
  const std::string token = cached_session("sam@example.fr", "10.0.0.1");
  const std::string other = cached_session("sam@example.fr", "10.0.0.2");
  ASSERT_TRUE(services_->auth.logout(token).ok());
  EXPECT_EQ(services_->auth.authenticate(token).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(services_->auth.authenticate(other).ok());
}

TEST_F(AuthCacheTest, PasswordChangeRefusesTheOtherSessionsImmediately) {
  const std::string current = cached_session("sam@example.fr", "10.0.0.1");
  const std::string other = cached_session("sam@example.fr", "10.0.0.2");
  const std::string admin = cached_session("ada@example.fr", "10.0.0.3");
  ASSERT_TRUE(services_->auth.change_password(sales_, kPassword, "nouveau-secret", current).ok());
  EXPECT_EQ(services_->auth.authenticate(other).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(services_->auth.authenticate(current).ok());
  EXPECT_TRUE(services_->auth.authenticate(admin).ok());
}

TEST_F(AuthCacheTest, DeactivationRefusesTheUserImmediately) {
  const std::string token = cached_session("sam@example.fr", "10.0.0.1");
  const std::string admin = cached_session("ada@example.fr", "10.0.0.2");
  must(services_->users.update(admin_, sales_.user_id, {{"active", false}}, std::nullopt));
  EXPECT_EQ(services_->auth.authenticate(token).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(services_->auth.authenticate(admin).ok());
}

TEST_F(AuthCacheTest, RoleAndLocaleChangesShowOnTheNextRequest) {
  const std::string token = cached_session("sam@example.fr", "10.0.0.1");
  must(services_->users.update(admin_, sales_.user_id, {{"role", "readonly"}}, std::nullopt));
  EXPECT_EQ(must(services_->auth.authenticate(token)).actor.role, Role::kReadonly);
  must(services_->auth.update_own_profile(sales_, {{"locale", "en"}}));
  EXPECT_EQ(must(services_->auth.authenticate(token)).actor.locale, "en");
}

TEST_F(AuthCacheTest, ChangesMadeThroughAnotherServerApplyHereWithinOneSecond) {
  // A second server: its own Store and Services (so its own cache) on the same database.
  auto other_store = storage::open_store("sqlite:" + db_->path());
  ASSERT_TRUE(other_store.ok()) << other_store.error().message;
  Services other(**other_store);
  const Actor marketing = make_user("mia@example.fr", Role::kMarketing);
  const std::string logged_out =
      must(services_->auth.login("sam@example.fr", kPassword, "a")).token;
  const std::string current = must(services_->auth.login("sam@example.fr", kPassword, "b")).token;
  const std::string sibling = must(services_->auth.login("sam@example.fr", kPassword, "c")).token;
  const std::string deactivated =
      must(services_->auth.login("mia@example.fr", kPassword, "d")).token;
  const std::string admin = must(services_->auth.login("ada@example.fr", kPassword, "e")).token;
  for (const auto* token : {&logged_out, &current, &sibling, &deactivated, &admin}) {
    must(other.auth.authenticate(*token));  // now cached by the other server
  }
  ASSERT_EQ(other.session_cache->size(), 5u);

  // Every entry was resolved before this instant, so none may be served a TTL after it.
  const auto changed = std::chrono::steady_clock::now();
  ASSERT_TRUE(services_->auth.logout(logged_out).ok());
  ASSERT_TRUE(services_->auth.change_password(sales_, kPassword, "nouveau-secret", current).ok());
  must(services_->users.update(admin_, marketing.user_id, {{"active", false}}, std::nullopt));
  std::this_thread::sleep_until(changed + kSessionCacheTtl);

  EXPECT_EQ(other.auth.authenticate(logged_out).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(other.auth.authenticate(sibling).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(other.auth.authenticate(deactivated).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(other.auth.authenticate(current).ok());
  EXPECT_TRUE(other.auth.authenticate(admin).ok());
}

}  // namespace
}  // namespace relais::domain
