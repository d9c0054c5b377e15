// Long-lived API tokens: creation with scopes and expiry, listing, revocation.
//
// Scopes: "read" (GET and HEAD only; the API layer refuses every other method with 403) and
// "write" (everything the user's role allows; implies read). Sign-in sessions hold both.
// A token minted by an API token records it as its parent: it can hold no scope its parent
// lacks, cannot outlive it, and is revoked with it (recursively). Tokens expire after 90 days
// unless told otherwise; only administrators may create one that never expires.
//
// Thread-safe: no mutable state of its own; the session cache locks itself.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/auth/session_cache.hpp"
#include "domain/store.hpp"

namespace relais::domain {

inline constexpr const char* kScopeRead = "read";
inline constexpr const char* kScopeWrite = "write";
inline constexpr std::int64_t kDefaultTokenLifetimeDays = 90;
inline constexpr std::int64_t kMaxTokenLifetimeDays = 3650;  // bound of expires_in_days
inline constexpr std::size_t kMaxTokensPerUser = 100;
// Generations below a token minted at a sign-in session; bounds the revocation cascade.
inline constexpr int kMaxTokenDepth = 8;

// Stored scopes ("" = every scope) as the API lists them: ["read"] or ["read", "write"].
std::vector<std::string> scope_list(std::string_view stored);
// True when stored scopes ("" = every scope) allow changes.
bool scopes_allow_write(std::string_view stored);

struct TokenRequest {
  enum class Expiry {
    kDefault,  // 90 days, or the parent token's expiry when sooner
    kAt,
    kNever,  // administrators only
  };
  std::string name;
  std::optional<std::vector<std::string>> scopes;  // nullopt: the caller's own
  Expiry expiry = Expiry::kDefault;
  std::int64_t expires_at_ms = 0;
};

class TokenService {
 public:
  TokenService(Store& store, std::shared_ptr<SessionCache> cache);

  // Creates an API token for the actor; the clear token is in the result, once.
  // `caller_token`: the clear token that authenticated the call; when it is an API token it
  // becomes the parent. Empty: no parent (CLI, tests).
  // kValidationFailed naming the field (name, scopes, expires_at), kForbidden for scopes the
  // caller lacks, kConflict past kMaxTokensPerUser live tokens.
  Result<Json> create(const Actor& actor, const std::string& caller_token,
                      const TokenRequest& request);
  // {"data": [token...], "next_cursor": null}: the tokens of `user_id` (nullopt: the actor's
  // own). Another user's only for administrators (else kForbidden).
  Result<Json> list(const Actor& actor, std::optional<std::int64_t> user_id);
  // Revokes the token and every token minted from it; they stop working at once in this
  // process. kNotFound when there is no such token or it is another user's and the actor is
  // not an administrator.
  Result<void> revoke(const Actor& actor, std::int64_t token_id);

 private:
  Store& store_;
  std::shared_ptr<SessionCache> cache_;
};

}  // namespace relais::domain
