#include "domain/auth/auth_service.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "common/crypto.hpp"
#include "domain/auth/login_throttle.hpp"
#include "domain/auth/password_policy.hpp"
#include "domain/records/record_service.hpp"
#include "domain/records/rule_factories.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

constexpr std::size_t kMaxPasswordBytes = 1024;  // argon2 cost is per byte too: bound it
constexpr std::size_t kMaxLoggedEmailBytes = 254;
constexpr std::int64_t kPruneEveryMs = 60'000;

Error bad_credentials() { return Error::unauthorized("invalid e-mail or password"); }

Error throttled(const std::string& what, std::int64_t wait_ms) {
  const std::int64_t seconds = std::max<std::int64_t>(1, (wait_ms + 999) / 1000);
  Error error{ErrorCode::kRateLimited,
              "too many " + what + "; try again in " + std::to_string(seconds) + " seconds"};
  error.details["retry_after"] = seconds;
  return error;
}

// Verifying against a real hash when the e-mail is unknown keeps both paths equally slow,
// so response time does not reveal which addresses have accounts.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    auto h = crypto::hash_password(crypto::random_token());
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

// What a user may change on their own record; role, team, e-mail and active stay admin-only.
constexpr std::array<const char*, 3> kOwnProfileFields = {"name", "locale", "time_zone"};

bool is_own_profile_field(const std::string& name) {
  return std::any_of(kOwnProfileFields.begin(), kOwnProfileFields.end(),
                     [&](const char* allowed) { return name == allowed; });
}

struct ThrottleKey {
  std::string key;
  const ThrottlePolicy* policy;
};

// One attempt more under every key, or the longest wait when one must still wait. Runs inside
// a write unit of work: writes are serialised, so concurrent attempts (from any server) each
// see the previous one's count.
Result<void> reserve_attempt(Transaction& tx, const std::vector<ThrottleKey>& keys,
                             std::int64_t now, const std::string& what) {
  std::vector<LoginThrottleCount> counts;
  std::int64_t wait_ms = 0;
  for (const auto& k : keys) {
    counts.push_back(tx.find_login_throttle(k.key).value_or(LoginThrottleCount{}));
    wait_ms = std::max(wait_ms, throttle_wait_ms(*k.policy, counts.back(), now));
  }
  if (wait_ms > 0) return throttled(what, wait_ms);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    RELAIS_TRY(tx.put_login_throttle(keys[i].key, add_failure(*keys[i].policy, counts[i], now)));
  }
  return {};
}

// Gives back one reserved attempt (it succeeded); the key disappears at zero.
Result<void> refund_attempt(Transaction& tx, const std::string& key) {
  auto count = tx.find_login_throttle(key);
  if (!count) return {};
  if (count->failures <= 1) return tx.delete_login_throttle(key);
  --count->failures;
  return tx.put_login_throttle(key, *count);
}

}  // namespace

AuthService::AuthService(Store& store, std::shared_ptr<SessionCache> cache, AuthOptions options)
    : store_(store),
      cache_(cache ? std::move(cache) : std::make_shared<SessionCache>()),
      options_(std::move(options)) {}

std::int64_t AuthService::now_ms() const {
  return options_.clock ? options_.clock() : now_epoch_ms();
}

std::chrono::milliseconds AuthService::session_touch_interval() const {
  return std::min<std::chrono::milliseconds>(std::chrono::minutes(5),
                                             options_.session_idle_timeout / 10);
}

void AuthService::report(SecurityEvent event) const {
  if (!options_.events) return;
  if (event.email.size() > kMaxLoggedEmailBytes) event.email.resize(kMaxLoggedEmailBytes);
  options_.events->record(event);
}

Result<void> AuthService::reserve_login_attempt(const std::string& pair_key,
                                                const std::string& address_key, std::int64_t now) {
  const bool prune = now - last_prune_ms_.load(std::memory_order_relaxed) >= kPruneEveryMs;
  if (prune) last_prune_ms_.store(now, std::memory_order_relaxed);
  auto done = store_.write([&](Transaction& tx) -> Result<Json> {
    if (prune) {
      // Counters older than every policy's memory are as good as none.
      RELAIS_TRY(
          tx.prune_login_throttle(now - std::max({options_.account_address_throttle.forget_after_ms,
                                                  options_.address_throttle.forget_after_ms,
                                                  kPasswordChangePolicy.forget_after_ms})));
    }
    RELAIS_TRY(reserve_attempt(
        tx,
        {{pair_key, &options_.account_address_throttle}, {address_key, &options_.address_throttle}},
        now, "failed sign-ins"));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return {};
}

Result<LoginResult> AuthService::login(const std::string& email, const std::string& password,
                                       const std::string& client_address) {
  const std::string login = to_lower_ascii(trim(email));
  const std::int64_t now = now_ms();
  const std::string pair_key = account_address_throttle_key(login, client_address);
  const std::string address_key = address_throttle_key(client_address);
  SecurityEvent event{"", "", login, client_address};

  if (auto reserved = reserve_login_attempt(pair_key, address_key, now); !reserved.ok()) {
    if (reserved.error().code == ErrorCode::kRateLimited) {
      event.name = "login.throttled";
      event.outcome = "rate_limited";
      event.retry_after_s = reserved.error().details.value("retry_after", std::int64_t{0});
      report(event);
    }
    return std::move(reserved).error();
  }

  // Fetch, then verify outside any transaction: argon2 is deliberately slow.
  std::optional<UserCredentials> credentials;
  Json user;
  auto fetched = store_.read([&](Transaction& tx) -> Result<Json> {
    user = Json();  // a unit may run again
    credentials = tx.find_credentials_by_email(login);
    if (credentials) {
      auto record = tx.get(user_schema(), credentials->user_id);
      if (record.ok()) user = std::move(*record);
    }
    return Json();
  });
  if (!fetched.ok()) return std::move(fetched).error();

  const bool known = credentials && !user.is_null();
  const bool password_ok = known && password.size() <= kMaxPasswordBytes
                               ? crypto::verify_password(credentials->password_hash, password)
                               : (crypto::verify_password(dummy_hash(), password), false);
  if (known) event.user_id = credentials->user_id;
  if (!password_ok) {
    event.name = "login.failed";
    event.outcome = known ? "wrong_password" : "unknown_account";
    report(event);
    return bad_credentials();  // the reserved attempt stays counted as a failure
  }
  // A disabled account answers exactly like a wrong password, after the same verification
  // and with the attempt counted the same: neither the body, the status, the throttle nor the
  // timing tells whether the password was right.
  if (!credentials->active || !user.value("active", true)) {
    event.name = "login.disabled_account";
    event.outcome = "account_disabled";
    report(event);
    return bad_credentials();
  }

  LoginResult result;
  result.token = crypto::random_token();
  result.csrf_token = crypto::random_token();
  result.expires_at_ms = now + options_.session_lifetime.count();
  result.user = std::move(user);
  SessionRecord session{credentials->user_id, "session", result.expires_at_ms,
                        result.csrf_token,    "",        now};
  auto stored = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_session(crypto::sha256_hex(result.token), session));
    // The right password clears this account's budget from this address, and gives back the
    // attempt reserved on the address's budget: successes never count against an office NAT.
    RELAIS_TRY(tx.delete_login_throttle(pair_key));
    RELAIS_TRY(refund_attempt(tx, address_key));
    return Json();
  });
  if (!stored.ok()) return std::move(stored).error();
  event.name = "login.succeeded";
  event.outcome = "signed_in";
  report(event);
  return result;
}

Result<void> AuthService::logout(const std::string& token, const std::string& client_address) {
  if (token.empty()) return Error::unauthorized();
  const std::string token_hash = crypto::sha256_hex(token);
  std::vector<std::string> revoked;  // this token and the tokens minted from it
  std::int64_t user_id = 0;
  std::string kind;
  auto done = store_.write([&](Transaction& tx) -> Result<Json> {
    user_id = 0;  // a unit may run again
    kind.clear();
    if (auto session = tx.find_session(token_hash)) {
      user_id = session->user_id;
      kind = session->kind;
    }
    RELAIS_ASSIGN_OR_RETURN(revoked, tx.delete_token_tree(token_hash));
    // Every server's cache drops them at commit (decision 0011); the hashes are stored values.
    tx.publish(Topic::kAuth, auth_token_key(token_hash));
    for (const auto& hash : revoked) tx.publish(Topic::kAuth, auth_token_key(hash));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  // After the commit: a resolution that read the session before it is refused by the cache's
  // generation check, one that reads after it finds no session.
  cache_->invalidate_token(token_hash);
  for (const auto& hash : revoked) cache_->invalidate_token(hash);
  SecurityEvent event{"logout", kind == "api_token" ? "token_revoked" : "signed_out", "",
                      client_address};
  event.user_id = user_id;
  report(event);
  return {};
}

Result<Authenticated> AuthService::authenticate(const std::string& token) {
  if (token.empty() || token.size() > 200) return Error::unauthorized();
  // The lookup is by SHA-256 of the token: timing reveals nothing about the secret.
  const std::string token_hash = crypto::sha256_hex(token);
  const std::int64_t now = now_ms();
  if (auto hit = cache_->find(token_hash)) {
    // The cache caps entries at the session's expiries too; this check keeps them exact
    // whatever clock the cache runs on.
    const bool expired = hit->expires_at_ms != 0 && now >= hit->expires_at_ms;
    const bool touch_due = hit->refresh_at_ms != 0 && now >= hit->refresh_at_ms;
    if (!expired && !touch_due) {
      return Authenticated{std::move(hit->actor), std::move(hit->kind), std::move(hit->csrf_token),
                           std::move(hit->scopes)};
    }
  }
  // Before reading: see SessionCache (staleness is counted from here).
  const SessionCache::Resolution resolution = cache_->begin_resolution();
  const std::int64_t idle_ms = options_.session_idle_timeout.count();
  std::optional<SessionRecord> found;
  Authenticated out;
  auto done = store_.read([&](Transaction& tx) -> Result<Json> {
    out = Authenticated{};  // a unit may run again
    found = tx.find_session(token_hash);
    if (!found) return Error::unauthorized("invalid or expired token");
    if (found->expires_at_ms != 0 && found->expires_at_ms <= now) {
      return Error::unauthorized("invalid or expired token");
    }
    if (found->kind == "session" && found->last_seen_at_ms + idle_ms <= now) {
      return Error::unauthorized("invalid or expired token");
    }
    auto user = tx.get(user_schema(), found->user_id);
    if (!user.ok()) return Error::unauthorized("invalid or expired token");
    if (!user->value("active", true)) return Error::unauthorized("this account is disabled");
    const auto role = parse_role(user->value("role", ""));
    if (!role) return Error::internal("user has an unknown role");
    out.actor.user_id = found->user_id;
    out.actor.role = *role;
    if (auto team = user->value("team_id", Json()); team.is_number_integer()) {
      out.actor.team_id = team.get<std::int64_t>();
    }
    out.actor.locale = user->value("locale", "fr");
    out.kind = found->kind;
    out.csrf_token = found->csrf_token;
    out.scopes = found->scopes;
    return Json();
  });
  if (!done.ok()) return std::move(done).error();

  std::int64_t valid_until_ms = found->expires_at_ms;  // 0 = never (API tokens without expiry)
  std::int64_t refresh_at_ms = 0;
  if (found->kind == "session") {
    // Sliding idle expiry without a write per request: the stored last-seen time is moved
    // only when it is older than the touch interval, so it lags by at most that much.
    std::int64_t seen = found->last_seen_at_ms;
    if (now - seen >= session_touch_interval().count()) {
      auto touched = store_.write([&](Transaction& tx) -> Result<Json> {
        RELAIS_TRY(tx.touch_session(token_hash, now));
        return Json();
      });
      if (touched.ok()) seen = now;  // else: still valid now; a later request retries
    }
    const std::int64_t idle_deadline = seen + idle_ms;
    valid_until_ms = valid_until_ms == 0 ? idle_deadline : std::min(valid_until_ms, idle_deadline);
    refresh_at_ms = seen + session_touch_interval().count();
  }
  cache_->put(
      token_hash,
      CachedAuth{out.actor, out.kind, out.csrf_token, valid_until_ms, refresh_at_ms, out.scopes},
      now, valid_until_ms, resolution);
  return out;
}

Result<Json> AuthService::create_user(const Actor& actor, const Json& user,
                                      const std::string& password) {
  if (!actor.is_system() && actor.role != Role::kAdmin) {
    return Error::forbidden("only an administrator can create users");
  }
  RELAIS_TRY(check_new_password(password, "password"));
  RELAIS_ASSIGN_OR_RETURN(std::string hash, crypto::hash_password(password));
  RecordService users(store_, user_schema(), make_user_rules(cache_));
  return store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json created, users.create_in(tx, actor, user));
    RELAIS_TRY(tx.set_password_hash(created.value("id", std::int64_t{0}), hash));
    return created;
  });
}

Result<Json> AuthService::update_own_profile(const Actor& actor, const Json& patch) {
  if (actor.is_system()) return Error::validation("the system actor has no profile");
  if (!patch.is_object()) return Error::bad_request("the profile change must be a JSON object");
  std::map<std::string, std::string> refused;
  for (const auto& [name, value] : patch.items()) {
    if (!is_own_profile_field(name)) {
      refused[name] =
          user_schema().field(name) ? "cannot be changed on your own profile" : "unknown field";
    }
  }
  if (!refused.empty()) {
    return Error::validation("only name, locale and time_zone can be changed here",
                             std::move(refused));
  }
  // The permission decision is made above (own record, whitelisted fields); users are
  // admin-written records, so the shared write path runs with admin reach but the user's own
  // id, which keeps the audit entry and the event attributed to the user.
  Actor self = actor;
  self.role = Role::kAdmin;
  RecordService users(store_, user_schema(), make_user_rules(cache_));
  return store_.write([&](Transaction& tx) -> Result<Json> {
    return users.update_in(tx, self, actor.user_id, patch, std::nullopt);
  });
}

Result<void> AuthService::change_password(const Actor& actor, const std::string& current_password,
                                          const std::string& new_password,
                                          const std::string& keep_token,
                                          const std::string& client_address) {
  if (actor.is_system()) return Error::validation("the system actor has no password");
  RELAIS_TRY(check_new_password(new_password, "new_password"));
  SecurityEvent event{"", "", "", client_address};
  event.user_id = actor.user_id;
  const std::string throttle_key = password_change_throttle_key(actor.user_id);
  auto reserved = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(reserve_attempt(tx, {{throttle_key, &kPasswordChangePolicy}}, now_ms(),
                               "wrong current passwords"));
    return Json();
  });
  if (!reserved.ok()) {
    if (reserved.error().code == ErrorCode::kRateLimited) {
      event.name = "password_change.throttled";
      event.outcome = "rate_limited";
      event.retry_after_s = reserved.error().details.value("retry_after", std::int64_t{0});
      report(event);
    }
    return std::move(reserved).error();
  }

  // Fetch, then verify outside any transaction: argon2 is deliberately slow.
  std::optional<UserCredentials> credentials;
  auto fetched = store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json user, tx.get(user_schema(), actor.user_id));
    event.email = user.value("email", "");
    credentials = tx.find_credentials_by_email(event.email);
    return Json();
  });
  if (!fetched.ok()) return std::move(fetched).error();
  if (!credentials || credentials->user_id != actor.user_id) {
    return Error::unauthorized("this account has no password");
  }
  const bool current_ok = current_password.size() <= kMaxPasswordBytes &&
                          crypto::verify_password(credentials->password_hash, current_password);
  if (!current_ok) {
    event.name = "password_change.failed";
    event.outcome = "wrong_current_password";
    report(event);
    return Error::field("current_password", "is not correct");
  }
  if (new_password == current_password) {
    return Error::field("new_password", "must differ from the current password");
  }

  RELAIS_ASSIGN_OR_RETURN(std::string hash, crypto::hash_password(new_password));
  const std::string verified_hash = credentials->password_hash;
  auto stored = store_.write([&](Transaction& tx) -> Result<Json> {
    // The current password was checked against this hash: if another change landed since,
    // that check no longer proves anything.
    RELAIS_ASSIGN_OR_RETURN(Json user, tx.get(user_schema(), actor.user_id));
    const auto now = tx.find_credentials_by_email(user.value("email", ""));
    if (!now || now->user_id != actor.user_id ||
        !crypto::constant_time_equal(now->password_hash, verified_hash)) {
      return Error::conflict("the password was changed meanwhile; sign in again and retry");
    }
    RELAIS_TRY(tx.set_password_hash(actor.user_id, hash));
    RELAIS_TRY(tx.delete_login_throttle(throttle_key));
    // Whoever else held a session or token (possibly the reason for the change) loses it.
    RELAIS_TRY(tx.delete_sessions_of_user(
        actor.user_id, keep_token.empty() ? std::string() : crypto::sha256_hex(keep_token)));
    tx.publish(Topic::kAuth, auth_user_key(actor.user_id));  // every server's cache, at commit
    // No secret in the audit: only that the change happened and who made it.
    tx.record_audit(
        AuditEntry{actor.user_id, "user", actor.user_id, "password_change", nullptr, nullptr});
    return Json();
  });
  if (!stored.ok()) return std::move(stored).error();
  // After the commit, so no resolution that read the revoked sessions can be cached.
  cache_->invalidate_user(actor.user_id);
  event.name = "password_change.succeeded";
  event.outcome = "changed";
  report(event);
  return {};
}

}  // namespace relais::domain
