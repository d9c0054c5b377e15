// Decision 0011: on PostgreSQL a sign-out, a token revocation, a password change or a
// deactivation made through one server drops the other servers' cached resolutions at once
// (a NOTIFY in the same transaction, heard by their listeners), not when the 1 s TTL ends.
// Two Services on two PgStores on one database play the two servers.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "domain/services.hpp"
#include "storage/open.hpp"
#include "storage/testing/pg_test_database.hpp"

namespace relais::domain {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kPassword = "motdepasse-solide";

template <class T>
T must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_json().dump());
  if (!r.ok()) throw std::runtime_error("unexpected error");
  return std::move(r).value();
}

class AuthSignalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = storage::testing::pg_database_name_for(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    storage::testing::pg_drop_database(name_);
    storage::testing::pg_create_database(name_);
    const std::string url =
        storage::testing::pg_database_url(storage::testing::pg_test_base_url(), name_);
    here_store_ = must(storage::open_store(url));
    there_store_ = must(storage::open_store(url));
    here_ = std::make_unique<Services>(*here_store_);
    there_ = std::make_unique<Services>(*there_store_);
    following_ = there_->follow_auth_signals();
  }
  void TearDown() override {
    following_.reset();
    here_.reset();
    there_.reset();
    here_store_.reset();
    there_store_.reset();
    storage::testing::pg_drop_database(name_);
  }

  Actor make_user(const std::string& email, Role role) {
    Json user = must(here_->auth.create_user(
        Actor::system(), {{"email", email}, {"role", role_name(role)}}, kPassword));
    return Actor{user["id"].get<std::int64_t>(), role, std::nullopt, "fr"};
  }
  std::string login(const std::string& email, const std::string& address) {
    return must(here_->auth.login(email, kPassword, address)).token;
  }
  // Resolved by the other server just now, so its cache would serve it for another second.
  void cache_there(const std::string& token) {
    must(there_->auth.authenticate(token));
    ASSERT_TRUE(there_->auth.authenticate(token).ok());
  }
  // How long the other server still accepted `token`; fails past `limit`.
  std::chrono::milliseconds refused_there_within(const std::string& token,
                                                 std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    while (there_->auth.authenticate(token).ok()) {
      if (Clock::now() - start > limit) {
        ADD_FAILURE() << "still accepted by the other server after " << limit.count() << " ms";
        break;
      }
      std::this_thread::sleep_for(2ms);
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  }

  std::string name_;
  std::unique_ptr<Store> here_store_, there_store_;
  std::unique_ptr<Services> here_, there_;
  Subscription following_;
};

// Well under kSessionCacheTtl (1 s): without the signals the cached entry would be served
// until then.
constexpr auto kAtOnce = 300ms;

TEST_F(AuthSignalsTest, ASignOutOnOneServerIsRefusedByTheOtherAtOnce) {
  make_user("sam@example.fr", Role::kSales);
  const std::string token = login("sam@example.fr", "a");
  const std::string kept = login("sam@example.fr", "b");
  cache_there(token);
  cache_there(kept);
  ASSERT_TRUE(here_->auth.logout(token).ok());
  refused_there_within(token, kAtOnce);
  EXPECT_TRUE(there_->auth.authenticate(kept).ok());  // only what was revoked goes
}

TEST_F(AuthSignalsTest, ARevokedApiTokenAndItsChildrenAreRefusedByTheOtherAtOnce) {
  const Actor sam = make_user("sam@example.fr", Role::kSales);
  const Json parent = must(here_->tokens.create(sam, "", TokenRequest{.name = "ci"}));
  const std::string token = parent["token"].get<std::string>();
  const Json child = must(here_->tokens.create(sam, token, TokenRequest{.name = "ci child"}));
  const std::string child_token = child["token"].get<std::string>();
  cache_there(token);
  cache_there(child_token);
  ASSERT_TRUE(here_->tokens.revoke(sam, parent["id"].get<std::int64_t>()).ok());
  refused_there_within(token, kAtOnce);
  refused_there_within(child_token, kAtOnce);
}

TEST_F(AuthSignalsTest, APasswordChangeAndADeactivationApplyOnTheOtherAtOnce) {
  const Actor admin = make_user("ada@example.fr", Role::kAdmin);
  const Actor sam = make_user("sam@example.fr", Role::kSales);
  const Actor mia = make_user("mia@example.fr", Role::kMarketing);
  const std::string current = login("sam@example.fr", "a");
  const std::string other = login("sam@example.fr", "b");
  const std::string mias = login("mia@example.fr", "c");
  cache_there(current);
  cache_there(other);
  cache_there(mias);
  ASSERT_TRUE(here_->auth.change_password(sam, kPassword, "nouveau-secret-2", current).ok());
  refused_there_within(other, kAtOnce);
  must(here_->users.update(admin, mia.user_id, {{"active", false}}, std::nullopt));
  refused_there_within(mias, kAtOnce);
  EXPECT_TRUE(there_->auth.authenticate(current).ok());
}

}  // namespace
}  // namespace relais::domain
