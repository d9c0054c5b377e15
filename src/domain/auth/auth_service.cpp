#include "domain/auth/auth_service.hpp"

#include <algorithm>
#include <array>

#include "common/crypto.hpp"
#include "domain/records/record_service.hpp"
#include "domain/records/rule_factories.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

constexpr std::int64_t kSessionLifetimeMs = 14LL * 24 * 3600 * 1000;
constexpr std::size_t kMinPasswordChars = 8;
constexpr std::size_t kMaxPasswordBytes = 1024;  // argon2 cost is per byte too: bound it

Error bad_credentials() { return Error::unauthorized("invalid e-mail or password"); }

Error rate_limited() {
  return Error{ErrorCode::kRateLimited, "too many failed sign-ins; try again in 15 minutes"};
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

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

AuthService::AuthService(Store& store, std::shared_ptr<SessionCache> cache)
    : store_(store), cache_(cache ? std::move(cache) : std::make_shared<SessionCache>()) {}

Result<LoginResult> AuthService::login(const std::string& email, const std::string& password,
                                       const std::string& remote_address) {
  const std::string login = to_lower_ascii(trim(email));
  const std::string email_key = "email:" + login;
  const std::string address_key = "addr:" + remote_address;
  if (failures_by_email_.blocked(email_key) || failures_by_address_.blocked(address_key)) {
    return rate_limited();
  }

  // Fetch, then verify outside any transaction: argon2 is deliberately slow.
  std::optional<UserCredentials> credentials;
  Json user;
  auto fetched = store_.read([&](Transaction& tx) -> Result<Json> {
    credentials = tx.find_credentials_by_email(login);
    if (credentials) {
      auto record = tx.get(user_schema(), credentials->user_id);
      if (record.ok()) user = std::move(*record);
    }
    return Json();
  });
  if (!fetched.ok()) return std::move(fetched).error();

  const bool password_ok = credentials && !user.is_null() && password.size() <= kMaxPasswordBytes
                               ? crypto::verify_password(credentials->password_hash, password)
                               : (crypto::verify_password(dummy_hash(), password), false);
  if (!password_ok) {
    failures_by_email_.record_failure(email_key);
    failures_by_address_.record_failure(address_key);
    return bad_credentials();
  }
  if (!credentials->active || !user.value("active", true)) {
    return Error::unauthorized("this account is disabled");
  }
  failures_by_email_.reset(email_key);

  LoginResult result;
  result.token = crypto::random_token();
  result.csrf_token = crypto::random_token();
  result.expires_at_ms = now_epoch_ms() + kSessionLifetimeMs;
  result.user = std::move(user);
  SessionRecord session{credentials->user_id, "session", result.expires_at_ms, result.csrf_token,
                        ""};
  auto stored = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_session(crypto::sha256_hex(result.token), session));
    return Json();
  });
  if (!stored.ok()) return std::move(stored).error();
  return result;
}

Result<void> AuthService::logout(const std::string& token) {
  if (token.empty()) return Error::unauthorized();
  const std::string token_hash = crypto::sha256_hex(token);
  std::vector<std::string> revoked;  // this token and the tokens minted from it
  auto done = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(revoked, tx.delete_token_tree(token_hash));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  // After the commit: a resolution that read the session before it is refused by the cache's
  // generation check, one that reads after it finds no session.
  cache_->invalidate_token(token_hash);
  for (const auto& hash : revoked) cache_->invalidate_token(hash);
  return {};
}

Result<Authenticated> AuthService::authenticate(const std::string& token) {
  if (token.empty() || token.size() > 200) return Error::unauthorized();
  // The lookup is by SHA-256 of the token: timing reveals nothing about the secret.
  const std::string token_hash = crypto::sha256_hex(token);
  if (auto hit = cache_->find(token_hash)) {
    return Authenticated{std::move(hit->actor), std::move(hit->kind), std::move(hit->csrf_token),
                         std::move(hit->scopes)};
  }
  const std::uint64_t generation = cache_->generation();  // before reading: see SessionCache
  const std::int64_t now = now_epoch_ms();
  std::int64_t session_expires_at_ms = 0;
  Authenticated out;
  auto done = store_.read([&](Transaction& tx) -> Result<Json> {
    const auto session = tx.find_session(token_hash);
    if (!session) return Error::unauthorized("invalid or expired token");
    session_expires_at_ms = session->expires_at_ms;
    if (session->expires_at_ms != 0 && session->expires_at_ms <= now) {
      return Error::unauthorized("invalid or expired token");
    }
    auto user = tx.get(user_schema(), session->user_id);
    if (!user.ok()) return Error::unauthorized("invalid or expired token");
    if (!user->value("active", true)) return Error::unauthorized("this account is disabled");
    const auto role = parse_role(user->value("role", ""));
    if (!role) return Error::internal("user has an unknown role");
    out.actor.user_id = session->user_id;
    out.actor.role = *role;
    if (auto team = user->value("team_id", Json()); team.is_number_integer()) {
      out.actor.team_id = team.get<std::int64_t>();
    }
    out.actor.locale = user->value("locale", "fr");
    out.kind = session->kind;
    out.csrf_token = session->csrf_token;
    out.scopes = session->scopes;
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  cache_->put(token_hash, CachedAuth{out.actor, out.kind, out.csrf_token, out.scopes}, now,
              session_expires_at_ms, generation);
  return out;
}

Result<Json> AuthService::create_user(const Actor& actor, const Json& user,
                                      const std::string& password) {
  if (!actor.is_system() && actor.role != Role::kAdmin) {
    return Error::forbidden("only an administrator can create users");
  }
  if (utf8_length(password) < kMinPasswordChars) {
    return Error::field("password", "must be at least 8 characters");
  }
  if (password.size() > kMaxPasswordBytes) {
    return Error::field("password", "must be at most 1024 bytes");
  }
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
                                          const std::string& keep_token) {
  if (actor.is_system()) return Error::validation("the system actor has no password");
  if (utf8_length(new_password) < kMinPasswordChars) {
    return Error::field("new_password", "must be at least 8 characters");
  }
  if (new_password.size() > kMaxPasswordBytes) {
    return Error::field("new_password", "must be at most 1024 bytes");
  }
  const std::string limiter_key = "user:" + std::to_string(actor.user_id);
  if (password_change_failures_.blocked(limiter_key)) {
    return Error{ErrorCode::kRateLimited,
                 "too many wrong current passwords; try again in 15 minutes"};
  }

  // Fetch, then verify outside any transaction: argon2 is deliberately slow.
  std::optional<UserCredentials> credentials;
  auto fetched = store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json user, tx.get(user_schema(), actor.user_id));
    credentials = tx.find_credentials_by_email(user.value("email", ""));
    return Json();
  });
  if (!fetched.ok()) return std::move(fetched).error();
  if (!credentials || credentials->user_id != actor.user_id) {
    return Error::unauthorized("this account has no password");
  }
  const bool current_ok = current_password.size() <= kMaxPasswordBytes &&
                          crypto::verify_password(credentials->password_hash, current_password);
  if (!current_ok) {
    password_change_failures_.record_failure(limiter_key);
    return Error::field("current_password", "is not correct");
  }
  password_change_failures_.reset(limiter_key);
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
    // Whoever else held a session or token (possibly the reason for the change) loses it.
    RELAIS_TRY(tx.delete_sessions_of_user(
        actor.user_id, keep_token.empty() ? std::string() : crypto::sha256_hex(keep_token)));
    // No secret in the audit: only that the change happened and who made it.
    tx.record_audit(
        AuditEntry{actor.user_id, "user", actor.user_id, "password_change", nullptr, nullptr});
    return Json();
  });
  if (!stored.ok()) return std::move(stored).error();
  // After the commit, so no resolution that read the revoked sessions can be cached.
  cache_->invalidate_user(actor.user_id);
  return {};
}

}  // namespace relais::domain
