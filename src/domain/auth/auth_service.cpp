#include "domain/auth/auth_service.hpp"

#include "common/crypto.hpp"
#include "domain/records/record_service.hpp"
#include "domain/records/rule_factories.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

constexpr std::int64_t kSessionLifetimeMs = 14LL * 24 * 3600 * 1000;
constexpr std::size_t kMinPasswordChars = 8;
constexpr std::size_t kMaxPasswordBytes = 1024;  // argon2 cost is per byte too: bound it
constexpr const char* kApiTokenPrefix = "rls_";

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

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

AuthService::AuthService(Store& store) : store_(store) {}

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
  auto done = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.delete_session(crypto::sha256_hex(token)));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return {};
}

Result<Authenticated> AuthService::authenticate(const std::string& token) {
  if (token.empty() || token.size() > 200) return Error::unauthorized();
  Authenticated out;
  auto done = store_.read([&](Transaction& tx) -> Result<Json> {
    // The lookup is by SHA-256 of the token: timing reveals nothing about the secret.
    const auto session = tx.find_session(crypto::sha256_hex(token));
    if (!session) return Error::unauthorized("invalid or expired token");
    if (session->expires_at_ms != 0 && session->expires_at_ms <= now_epoch_ms()) {
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
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return out;
}

Result<Json> AuthService::create_api_token(const Actor& actor, const std::string& name,
                                           std::optional<std::int64_t> expires_at_ms) {
  if (actor.is_system()) {
    return Error::validation("API tokens belong to a user; sign in as that user first");
  }
  const std::string label(trim(name));
  if (label.empty() || label.size() > 100 || !is_valid_utf8(label)) {
    return Error::field("name", "a name of 1 to 100 characters is required");
  }
  if (expires_at_ms && *expires_at_ms <= now_epoch_ms()) {
    return Error::field("expires_at", "must be in the future");
  }
  const std::string token = kApiTokenPrefix + crypto::random_token();
  SessionRecord record{actor.user_id, "api_token", expires_at_ms.value_or(0), "", label};
  auto stored = store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_session(crypto::sha256_hex(token), record));
    return Json();
  });
  if (!stored.ok()) return std::move(stored).error();
  return Json{{"token", token},
              {"name", label},
              {"expires_at", expires_at_ms ? Json(format_epoch_ms(*expires_at_ms)) : Json()}};
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
  RecordService users(store_, user_schema(), make_user_rules());
  return store_.write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json created, users.create_in(tx, actor, user));
    RELAIS_TRY(tx.set_password_hash(created.value("id", std::int64_t{0}), hash));
    return created;
  });
}

}  // namespace relais::domain
