#include "domain/auth/token_service.hpp"

#include <algorithm>

#include "common/crypto.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

constexpr const char* kApiTokenPrefix = "rls_";
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::size_t kMaxNameBytes = 100;

bool is_admin(const Actor& actor) { return actor.is_system() || actor.role == Role::kAdmin; }

// Canonical stored form of requested scopes: "read" or "read write".
Result<std::string> canonical_scopes(const std::vector<std::string>& requested) {
  if (requested.empty()) return Error::field("scopes", "give at least one of: read, write");
  bool write = false;
  for (const auto& scope : requested) {
    if (scope == kScopeWrite) {
      write = true;
    } else if (scope != kScopeRead) {
      return Error::field("scopes", "unknown scope \"" + scope + "\"; use read or write");
    }
  }
  return std::string(write ? "read write" : "read");
}

Json render(const ApiTokenRecord& t) {
  return Json{
      {"id", t.id},
      {"user_id", t.user_id},
      {"name", t.name},
      {"scopes", scope_list(t.scopes)},
      {"created_at", t.created_at},
      {"expires_at", t.expires_at_ms != 0 ? Json(format_epoch_ms(t.expires_at_ms)) : Json()},
      {"parent_id", t.parent_id ? Json(*t.parent_id) : Json()}};
}

// Generations between `session` and the sign-in session or unparented token above it.
int depth_of(Transaction& tx, SessionRecord session) {
  int depth = 0;
  while (!session.parent_token_hash.empty() && depth <= kMaxTokenDepth) {
    auto parent = tx.find_session(session.parent_token_hash);
    if (!parent) break;
    session = std::move(*parent);
    ++depth;
  }
  return depth;
}

}  // namespace

std::vector<std::string> scope_list(std::string_view stored) {
  if (scopes_allow_write(stored)) return {kScopeRead, kScopeWrite};
  return {kScopeRead};
}

bool scopes_allow_write(std::string_view stored) {
  return stored.empty() || stored.find(kScopeWrite) != std::string_view::npos;
}

TokenService::TokenService(Store& store, std::shared_ptr<SessionCache> cache)
    : store_(store), cache_(std::move(cache)) {}

Result<Json> TokenService::create(const Actor& actor, const std::string& caller_token,
                                  const TokenRequest& request) {
  if (actor.is_system()) {
    return Error::validation("API tokens belong to a user; sign in as that user first");
  }
  const std::string label(trim(request.name));
  if (label.empty() || label.size() > kMaxNameBytes || !is_valid_utf8(label) ||
      find_control_character(label, /*multiline=*/false)) {
    return Error::field("name", "a name of 1 to 100 bytes on one line is required");
  }
  std::optional<std::string> wanted_scopes;
  if (request.scopes) {
    RELAIS_ASSIGN_OR_RETURN(wanted_scopes, canonical_scopes(*request.scopes));
  }
  const std::int64_t now = now_epoch_ms();
  if (request.expiry == TokenRequest::Expiry::kAt) {
    if (request.expires_at_ms <= now) return Error::field("expires_at", "must be in the future");
  }
  if (request.expiry == TokenRequest::Expiry::kNever && !is_admin(actor)) {
    return Error::field("expires_at", "only administrators may create tokens that never expire");
  }

  const std::string token = kApiTokenPrefix + crypto::random_token();
  const std::string token_hash = crypto::sha256_hex(token);
  ApiTokenRecord created;
  auto stored = store_.write([&](Transaction& tx) -> Result<Json> {
    SessionRecord record{actor.user_id, "api_token", 0, "", label};
    std::int64_t parent_expires_ms = 0;
    std::string parent_scopes;  // "" = every scope (a sign-in session)
    if (!caller_token.empty()) {
      const std::string caller_hash = crypto::sha256_hex(caller_token);
      const auto caller = tx.find_session(caller_hash);
      if (!caller || caller->user_id != actor.user_id) {
        return Error::unauthorized("invalid or expired token");
      }
      if (caller->kind == "api_token") {
        if (depth_of(tx, *caller) >= kMaxTokenDepth) {
          return Error::forbidden("tokens minted by tokens may nest at most 8 deep");
        }
        record.parent_token_hash = caller_hash;
        parent_expires_ms = caller->expires_at_ms;
        parent_scopes = caller->scopes;
      }
    }
    // Narrowing only: a token holds no scope its parent lacks.
    const std::string own = parent_scopes.empty() ? "read write" : parent_scopes;
    record.scopes = wanted_scopes.value_or(own);
    if (scopes_allow_write(record.scopes) && !scopes_allow_write(own)) {
      return Error::forbidden("a token cannot create a token with wider scopes than its own");
    }
    switch (request.expiry) {
      case TokenRequest::Expiry::kDefault:
        record.expires_at_ms = now + kDefaultTokenLifetimeDays * kDayMs;
        if (parent_expires_ms != 0) {
          record.expires_at_ms = std::min(record.expires_at_ms, parent_expires_ms);
        }
        break;
      case TokenRequest::Expiry::kAt:
        record.expires_at_ms = request.expires_at_ms;
        if (parent_expires_ms != 0 && record.expires_at_ms > parent_expires_ms) {
          return Error::field("expires_at",
                              "cannot be later than the expiry of the token "
                              "that creates it (" +
                                  format_epoch_ms(parent_expires_ms) + ")");
        }
        break;
      case TokenRequest::Expiry::kNever:
        if (parent_expires_ms != 0) {
          return Error::field("expires_at", "a token created by an expiring token must expire");
        }
        record.expires_at_ms = 0;
        break;
    }
    // Expired tokens are only clutter: they go before the per-user count is checked.
    RELAIS_TRY(tx.delete_expired_api_tokens(actor.user_id, now));
    if (tx.list_api_tokens(actor.user_id).size() >= kMaxTokensPerUser) {
      return Error::conflict("at most 100 API tokens per user; revoke one first");
    }
    RELAIS_ASSIGN_OR_RETURN(const std::int64_t id, tx.insert_api_token(token_hash, record));
    auto found = tx.find_api_token(id);
    if (!found) return Error::internal("the new API token was not stored");
    created = std::move(*found);
    return Json();
  });
  if (!stored.ok()) return std::move(stored).error();
  Json out = render(created);
  out["token"] = token;
  return out;
}

Result<Json> TokenService::list(const Actor& actor, std::optional<std::int64_t> user_id) {
  const std::int64_t owner = user_id.value_or(actor.user_id);
  if (owner != actor.user_id && !is_admin(actor)) {
    return Error::forbidden("only an administrator can see another user's API tokens");
  }
  Json data = Json::array();
  auto read = store_.read([&](Transaction& tx) -> Result<Json> {
    data = Json::array();  // a unit may run again
    for (const auto& token : tx.list_api_tokens(owner)) data.push_back(render(token));
    return Json();
  });
  if (!read.ok()) return std::move(read).error();
  return Json{{"data", std::move(data)}, {"next_cursor", nullptr}};
}

Result<void> TokenService::revoke(const Actor& actor, std::int64_t token_id) {
  std::vector<std::string> revoked;
  auto done = store_.write([&](Transaction& tx) -> Result<Json> {
    const auto token = tx.find_api_token(token_id);
    // Another user's token answers like a missing one: ids reveal nothing to non-admins.
    if (!token || (token->user_id != actor.user_id && !is_admin(actor))) {
      return Error::not_found("no API token with id " + std::to_string(token_id));
    }
    RELAIS_ASSIGN_OR_RETURN(revoked, tx.delete_token_tree(token->token_hash));
    // Every server's cache drops them at commit (decision 0011).
    for (const auto& hash : revoked) tx.publish(Topic::kAuth, auth_token_key(hash));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  // After the commit: a resolution that read a revoked row before it is refused by the
  // cache's generation check, one that reads after it finds no row.
  for (const auto& hash : revoked) cache_->invalidate_token(hash);
  return {};
}

}  // namespace relais::domain
