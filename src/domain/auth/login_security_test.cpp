// Sign-in hardening (issue 8) on the real SQLite store, with a clock the tests move: throttling
// per (account, address) with back-off and a per-address ceiling, the disabled-account
// oracle, idle and absolute session expiry (also through the session cache), and the security
// events reported for each outcome.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "common/crypto.hpp"
#include "domain/auth/auth_service.hpp"
#include "domain/services.hpp"
#include "domain/testing/services_fixture.hpp"

namespace relais::domain {
namespace {

using namespace std::chrono_literals;

// Keeps every event, for the assertions (a real sink of the port, not a mock of a service).
class RecordingSink final : public SecurityEventSink {
 public:
  void record(const SecurityEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  std::vector<SecurityEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<SecurityEvent> events_;
};

class LoginSecurityTest : public testing::ServicesFixture {
 protected:
  void SetUp() override {
    ServicesFixture::SetUp();
    AuthOptions options;
    options.clock = [this] { return now_.load(); };
    options.events = sink_;
    services_ = std::make_unique<Services>(db_->store(), options);
    sam_ = make_user("sam@example.fr", Role::kSales);
    make_user("rita@example.fr", Role::kReadonly);
  }

  void advance(std::chrono::milliseconds by) { now_ += by.count(); }

  std::optional<SessionRecord> stored_session(const std::string& token) {
    std::optional<SessionRecord> found;
    auto done = db_->store().read([&](Transaction& tx) -> Result<Json> {
      found = tx.find_session(crypto::sha256_hex(token));
      return Json();
    });
    EXPECT_TRUE(done.ok());
    return found;
  }

  std::atomic<std::int64_t> now_{1'800'000'000'000};
  std::shared_ptr<RecordingSink> sink_ = std::make_shared<RecordingSink>();
  Actor sam_;
};

TEST_F(LoginSecurityTest, AWrongPasswordBurstFromOneAddressDoesNotLockTheUserOutOfTheirs) {
  auto& auth = services_->auth;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(auth.login("sam@example.fr", "guess-number-" + std::to_string(i), "203.0.113.9")
                  .error()
                  .code,
              ErrorCode::kUnauthorized);
  }
  // The attacker's address waits, even with the right password: guessing gains nothing.
  auto blocked = auth.login("sam@example.fr", kPassword, "203.0.113.9");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(blocked.error().details.value("retry_after", 0), 2);
  // The real user, from their own address, is not affected.
  EXPECT_TRUE(auth.login("sam@example.fr", kPassword, "198.51.100.7").ok());
  // Another account from the attacker's address is not blocked by this account's budget.
  EXPECT_TRUE(auth.login("rita@example.fr", kPassword, "203.0.113.9").ok());

  // Back-off: the wait doubles with each further failure.
  advance(2s);
  EXPECT_EQ(auth.login("sam@example.fr", "another-guess", "203.0.113.9").error().code,
            ErrorCode::kUnauthorized);
  EXPECT_EQ(auth.login("sam@example.fr", kPassword, "203.0.113.9")
                .error()
                .details.value("retry_after", 0),
            4);
  // A blocked attempt does not extend the wait.
  advance(4s);
  EXPECT_TRUE(auth.login("sam@example.fr", kPassword, "203.0.113.9").ok());
  // The right password cleared that pair's counter: five fresh failures are allowed again.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(auth.login("sam@example.fr", "wrong-again", "203.0.113.9").error().code,
              ErrorCode::kUnauthorized);
  }
  EXPECT_EQ(auth.login("sam@example.fr", "wrong-again", "203.0.113.9").error().code,
            ErrorCode::kRateLimited);
}

TEST_F(LoginSecurityTest, AnAddressSprayingManyAccountsMeetsItsCeiling) {
  AuthOptions options;
  options.clock = [this] { return now_.load(); };
  options.address_throttle = ThrottlePolicy{8, 2'000, 15 * 60'000, 60 * 60'000};
  Services services(db_->store(), options);
  auto& auth = services.auth;
  // The ceiling is 8 here (100 by default); each e-mail fails only once.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(auth.login("user" + std::to_string(i) + "@example.fr", "spray-password", "192.0.2.1")
                  .error()
                  .code,
              ErrorCode::kUnauthorized);
  }
  EXPECT_EQ(auth.login("sam@example.fr", kPassword, "192.0.2.1").error().code,
            ErrorCode::kRateLimited);
  EXPECT_TRUE(auth.login("sam@example.fr", kPassword, "192.0.2.2").ok());
  // Successful sign-ins do not use up an address's budget (an office behind one NAT).
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(auth.login("rita@example.fr", kPassword, "192.0.2.3").ok());
  EXPECT_TRUE(auth.login("sam@example.fr", kPassword, "192.0.2.3").ok());
}

TEST_F(LoginSecurityTest, ThrottleStateIsSharedByServicesOnTheSameDatabase) {
  // A second set of services on the same database stands for a second server process.
  AuthOptions options;
  options.clock = [this] { return now_.load(); };
  Services other(db_->store(), options);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(services_->auth.login("sam@example.fr", "nope-nope-nope", "203.0.113.5").ok());
    EXPECT_FALSE(other.auth.login("sam@example.fr", "nope-nope-nope", "203.0.113.5").ok());
  }
  EXPECT_EQ(services_->auth.login("sam@example.fr", kPassword, "203.0.113.5").error().code,
            ErrorCode::kRateLimited);
  EXPECT_EQ(other.auth.login("sam@example.fr", kPassword, "203.0.113.5").error().code,
            ErrorCode::kRateLimited);
}

TEST_F(LoginSecurityTest, ADisabledAccountAnswersExactlyLikeAWrongPassword) {
  auto& auth = services_->auth;
  must(services_->users.update(Actor::system(), sam_.user_id, {{"active", false}}, {}));
  auto right = auth.login("sam@example.fr", kPassword, "10.1.0.1");
  auto wrong = auth.login("sam@example.fr", "not-the-password", "10.1.0.2");
  auto unknown = auth.login("nobody@example.fr", "not-the-password", "10.1.0.3");
  ASSERT_FALSE(right.ok());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(right.error().to_json(), wrong.error().to_json());
  EXPECT_EQ(right.error().to_json(), unknown.error().to_json());
  EXPECT_EQ(right.error().code, ErrorCode::kUnauthorized);
  // And the right password is counted like a wrong one, so the throttle tells nothing either.
  for (int i = 0; i < 4; ++i)
    EXPECT_FALSE(auth.login("sam@example.fr", kPassword, "10.1.0.1").ok());
  EXPECT_EQ(auth.login("sam@example.fr", kPassword, "10.1.0.1").error().code,
            ErrorCode::kRateLimited);

  const auto events = sink_->events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].name, "login.disabled_account");
  EXPECT_EQ(events[0].user_id, sam_.user_id);
  EXPECT_EQ(events[1].name, "login.failed");
  EXPECT_EQ(events[1].outcome, "wrong_password");
  EXPECT_EQ(events[2].outcome, "unknown_account");
}

TEST_F(LoginSecurityTest, SessionsEndAfterIdlenessAndAtTheirAbsoluteLifetime) {
  auto& auth = services_->auth;
  const LoginResult login = must(auth.login("sam@example.fr", kPassword, "10.2.0.1"));
  EXPECT_EQ(login.expires_at_ms, now_.load() + std::chrono::milliseconds(7 * 24h).count());
  const std::int64_t signed_in_at = now_.load();

  // Used within the touch interval: the stored last-seen time is not rewritten.
  advance(1min);
  ASSERT_TRUE(auth.authenticate(login.token).ok());
  EXPECT_EQ(stored_session(login.token)->last_seen_at_ms, signed_in_at);
  // Used later: it is (sliding expiry), once.
  advance(10min);
  ASSERT_TRUE(auth.authenticate(login.token).ok());
  EXPECT_EQ(stored_session(login.token)->last_seen_at_ms, now_.load());

  // Kept in use every 11 hours, it lives on...
  for (int i = 0; i < 5; ++i) {
    advance(11h);
    ASSERT_TRUE(auth.authenticate(login.token).ok()) << i;
  }
  // ...until 12 hours without use. The 5-second session cache (same process, a moment
  // earlier in real time) does not serve it past that either.
  advance(12h);
  EXPECT_EQ(auth.authenticate(login.token).error().code, ErrorCode::kUnauthorized);

  // Absolute lifetime: used every 6 hours, a session still ends 7 days after sign-in.
  const LoginResult other = must(auth.login("sam@example.fr", kPassword, "10.2.0.1"));
  const std::int64_t start = now_.load();
  while (now_.load() + std::chrono::milliseconds(6h).count() <
         start + std::chrono::milliseconds(7 * 24h).count()) {
    advance(6h);
    ASSERT_TRUE(auth.authenticate(other.token).ok());
  }
  advance(6h);
  EXPECT_EQ(auth.authenticate(other.token).error().code, ErrorCode::kUnauthorized);
}

TEST_F(LoginSecurityTest, ApiTokensDoNotExpireFromIdleness) {
  auto& auth = services_->auth;
  const std::string token =
      must(services_->tokens.create(sam_, "", TokenRequest{"nightly export"}))["token"]
          .get<std::string>();
  ASSERT_TRUE(auth.authenticate(token).ok());
  advance(30 * 24h);
  EXPECT_EQ(must(auth.authenticate(token)).kind, "api_token");
}

TEST_F(LoginSecurityTest, EveryOutcomeIsASecurityEventWithoutThePassword) {
  auto& auth = services_->auth;
  const std::string secret_guess = "Sup3r-S3cret-Guess";
  EXPECT_FALSE(auth.login("  Sam@Example.fr ", secret_guess, "10.3.0.1").ok());
  const LoginResult ok = must(auth.login("sam@example.fr", kPassword, "10.3.0.1"));
  ASSERT_TRUE(auth.logout(ok.token, "10.3.0.1").ok());
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(auth.login("sam@example.fr", secret_guess, "10.3.0.9").ok());
  EXPECT_EQ(auth.login("sam@example.fr", secret_guess, "10.3.0.9").error().code,
            ErrorCode::kRateLimited);
  EXPECT_FALSE(auth.change_password(sam_, secret_guess, "a-brand-new-secret", {}, "10.3.0.1").ok());
  EXPECT_TRUE(auth.change_password(sam_, kPassword, "a-brand-new-secret", {}, "10.3.0.1").ok());

  const auto events = sink_->events();
  std::vector<std::string> names;
  for (const auto& e : events) {
    names.push_back(e.name);
    for (const std::string& value : {e.name, e.outcome, e.email, e.client_address}) {
      EXPECT_EQ(value.find(secret_guess), std::string::npos);
      EXPECT_EQ(value.find(kPassword), std::string::npos);
      EXPECT_EQ(value.find("a-brand-new-secret"), std::string::npos);
    }
  }
  const std::vector<std::string> expected = {"login.failed",
                                             "login.succeeded",
                                             "logout",
                                             "login.failed",
                                             "login.failed",
                                             "login.failed",
                                             "login.failed",
                                             "login.failed",
                                             "login.throttled",
                                             "password_change.failed",
                                             "password_change.succeeded"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(events[0].email, "sam@example.fr");  // as normalised for the lookup
  EXPECT_EQ(events[0].client_address, "10.3.0.1");
  EXPECT_EQ(events[0].user_id, sam_.user_id);
  EXPECT_EQ(events[1].outcome, "signed_in");
  EXPECT_EQ(events[2].user_id, sam_.user_id);
  EXPECT_EQ(events[8].retry_after_s, 2);
  EXPECT_EQ(events[8].client_address, "10.3.0.9");
}

}  // namespace
}  // namespace relais::domain
