// Sign-in, sessions, API tokens. Tokens are random (libsodium), stored only as hashes,
// compared in constant time by looking up the hash; passwords are argon2id.
// Thread-safe: the only mutable state is the failed-login counters, which lock themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/auth/login_rate_limiter.hpp"
#include "domain/auth/session_cache.hpp"
#include "domain/store.hpp"

namespace relais::domain {

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
  explicit AuthService(Store& store, std::shared_ptr<SessionCache> cache = nullptr);

  // kUnauthorized with one generic message whatever failed (unknown e-mail or bad password).
  // kRateLimited after too many failures for this e-mail or remote address.
  Result<LoginResult> login(const std::string& email, const std::string& password,
                            const std::string& remote_address);
  // Also revokes every API token minted from that token (see TokenService).
  Result<void> logout(const std::string& token);
  // Resolves a bearer token or session cookie value. Served from the session cache when
  // resolved in the last 5 s; logout, password changes and actor-changing user writes
  // invalidate it in this process.
  Result<Authenticated> authenticate(const std::string& token);
  // Creates a user with a password (admin only, or the system actor from the CLI).
  Result<Json> create_user(const Actor& actor, const Json& user, const std::string& password);

  // Self-service, for every role: the actor changes their own `name`, `locale` and `time_zone`
  // (validated like the user schema; any other field is kValidationFailed naming it). Goes
  // through the normal record write path, so it is audited and evented with the user as actor.
  // Returns the updated user record.
  Result<Json> update_own_profile(const Actor& actor, const Json& patch);
  // Self-service: verifies `current_password` (kValidationFailed on fields.current_password
  // when wrong, rate limited like sign-in), then stores an argon2id hash of `new_password`
  // (at least 8 characters) and, in the same transaction, revokes every other session and API
  // token of the user. `keep_token` is the clear token that authenticated this call (kept so
  // the caller stays signed in); empty revokes them all.
  Result<void> change_password(const Actor& actor, const std::string& current_password,
                               const std::string& new_password, const std::string& keep_token = {});

 private:
  Store& store_;
  std::shared_ptr<SessionCache> cache_;
  LoginRateLimiter failures_by_email_{5, std::chrono::minutes(15)};
  LoginRateLimiter failures_by_address_{20, std::chrono::minutes(15)};
  // Wrong current passwords on change_password, per user: a stolen session must not become
  // an unlimited password oracle.
  LoginRateLimiter password_change_failures_{5, std::chrono::minutes(15)};
};

}  // namespace relais::domain
