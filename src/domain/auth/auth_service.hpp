// Sign-in, sessions, API tokens. Tokens are random (libsodium), stored only as hashes,
// compared in constant time by looking up the hash; passwords are argon2id.
// Thread-safe: failed sign-in counters live in the database (shared by every server process,
// see login_throttle.hpp); the session cache locks itself; the rest is immutable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/auth/login_throttle.hpp"
#include "domain/auth/security_events.hpp"
#include "domain/auth/session_cache.hpp"
#include "domain/store.hpp"

namespace relais::domain {

struct AuthOptions {
  // A session unused this long is refused (sliding: every use pushes it back, although the
  // stored last-seen time is refreshed at most every session_touch_interval()).
  std::chrono::milliseconds session_idle_timeout = std::chrono::hours(12);
  // A session is refused this long after sign-in, however much it is used. API tokens are not
  // sessions: they keep their own optional expiry and never expire from idleness.
  std::chrono::milliseconds session_lifetime = std::chrono::hours(24 * 7);
  // Sign-in throttling (login_throttle.hpp).
  ThrottlePolicy account_address_throttle = kAccountAddressPolicy;
  ThrottlePolicy address_throttle = kAddressPolicy;
  // Where security events go; null drops them.
  std::shared_ptr<SecurityEventSink> events;
  // Epoch milliseconds; empty is the system clock (tests move time with their own).
  std::function<std::int64_t()> clock;
};

struct LoginResult {
  std::string token;       // bearer token, also the session cookie value
  std::string csrf_token;  // echo in X-CSRF-Token for cookie-authenticated writes
  Json user;               // the user record (no password hash)
  std::int64_t expires_at_ms = 0;
};

struct Authenticated {
  Actor actor;
  std::string kind;        // "session" | "api_token"
  std::string csrf_token;  // sessions only
  std::string scopes;      // API tokens: "read" or "read write"; empty = every scope
};

class AuthService {
 public:
  // `cache` is shared with the user record rules (make_user_rules) so that user changes made
  // outside this service invalidate it too; null creates a private one.
  explicit AuthService(Store& store, std::shared_ptr<SessionCache> cache = nullptr,
                       AuthOptions options = {});

  // kUnauthorized with one generic message whatever failed: unknown e-mail, wrong password or
  // a disabled account (the same answer, after the same argon2 verification, so none of them
  // can be told apart). kRateLimited (details.retry_after, seconds) while this account has had
  // too many failures from `client_address`, or that address too many over all accounts; see
  // login_throttle.hpp. `client_address` is the caller's address as the HTTP layer resolved it
  // (trusted proxies honoured).
  Result<LoginResult> login(const std::string& email, const std::string& password,
                            const std::string& client_address);
  // Ends the session, or revokes the API token, `token`, and every API token minted from it
  // (see TokenService). `client_address` is only logged.
  Result<void> logout(const std::string& token, const std::string& client_address = {});
  // Resolves a bearer token or session cookie value. Sessions are refused past their absolute
  // expiry and after session_idle_timeout without use; their last-seen time is written back
  // at most every session_touch_interval(). Served from the session cache when resolved in
  // the last 5 s (never beyond either expiry); logout, password changes and actor-changing
  // user writes invalidate it in this process.
  Result<Authenticated> authenticate(const std::string& token);
  // How stale a session's stored last-seen time may get before a request refreshes it: a
  // tenth of the idle timeout, at most 5 minutes.
  std::chrono::milliseconds session_touch_interval() const;
  // Creates a user with a password (admin only, or the system actor from the CLI).
  Result<Json> create_user(const Actor& actor, const Json& user, const std::string& password);

  // Self-service, for every role: the actor changes their own `name`, `locale` and `time_zone`
  // (validated like the user schema; any other field is kValidationFailed naming it). Goes
  // through the normal record write path, so it is audited and evented with the user as actor.
  // Returns the updated user record.
  Result<Json> update_own_profile(const Actor& actor, const Json& patch);
  // Self-service: verifies `current_password` (kValidationFailed on fields.current_password
  // when wrong, throttled per user like sign-in), then stores an argon2id hash of
  // `new_password` (password_policy.hpp) and, in the same transaction, revokes every other
  // session and API token of the user. `keep_token` is the clear token that authenticated
  // this call (kept so the caller stays signed in); empty revokes them all.
  Result<void> change_password(const Actor& actor, const std::string& current_password,
                               const std::string& new_password, const std::string& keep_token = {},
                               const std::string& client_address = {});

 private:
  std::int64_t now_ms() const;
  void report(SecurityEvent event) const;
  // Counts one attempt under the throttle keys before the password is verified (so parallel
  // guesses cannot all pass the check before any failure is stored); kRateLimited instead
  // when a key must still wait. Also prunes forgotten counters now and then.
  Result<void> reserve_login_attempt(const std::string& pair_key, const std::string& address_key,
                                     std::int64_t now);

  Store& store_;
  std::shared_ptr<SessionCache> cache_;
  const AuthOptions options_;
  std::atomic<std::int64_t> last_prune_ms_{0};  // when this process last pruned the counters
};

}  // namespace relais::domain
