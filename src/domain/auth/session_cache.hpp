// A short-lived, in-process cache of resolved tokens (SHA-256 hash -> Authenticated), so most
// authenticated requests skip the session and user reads. Owned by AuthService and shared
// (shared_ptr) with the user record rules, which invalidate on actor-changing writes.
// Thread-safe: one std::shared_mutex; lookups take it shared, everything else exclusive.
//
// Staleness rules (see docs/decisions/0005-auth-cache.md and 0010-auth-cache-across-servers.md):
// - an entry lives at most `ttl` counted from the start of the resolution that produced it
//   (before its store read), and never beyond the session's own expiry (absolute or idle,
//   whichever comes first: see CachedAuth::expires_at_ms). Other servers on the database
//   cannot reach this cache, so the TTL is how long one of them may still accept a token
//   revoked elsewhere: kSessionCacheTtl bounds that at 1 s;
// - every invalidation bumps a generation: a resolution that started before it (and so may
//   have read the old rows) is not stored (`put` with an older generation is dropped);
// - invalidate_user also refuses new entries for that user during `ttl`, because the record
//   rules invalidate inside the write transaction, before it commits: a concurrent read in
//   that window still sees the old row and must not be cached.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "domain/actor.hpp"
#include "domain/signals.hpp"

namespace relais::domain {

struct CachedAuth {
  Actor actor;
  std::string kind;        // "session" | "api_token"
  std::string csrf_token;  // sessions only
  // When the resolution stops being valid (epoch ms, 0 = never): the earlier of the session's
  // absolute expiry and its idle expiry as of this resolution. The cache also caps the entry's
  // life at it; AuthService checks it on every hit against its own clock.
  std::int64_t expires_at_ms = 0;
  // Sessions: when the stored last-seen time is due for a refresh (epoch ms, 0 = never); a
  // hit past it is treated as a miss so the store is read and touched.
  std::int64_t refresh_at_ms = 0;
  std::string scopes;  // API tokens' scopes; empty = every scope
};

// How long a resolved token may be served without reading the store again: the longest a
// revocation, password change or user change made through another server takes to apply here.
inline constexpr std::chrono::milliseconds kSessionCacheTtl{1000};

class SessionCache {
 public:
  using Clock = std::chrono::steady_clock;

  // Taken before resolving a token from the store, passed to put() with the result.
  struct Resolution {
    std::uint64_t generation = 0;
    Clock::time_point started;
  };

  explicit SessionCache(std::chrono::milliseconds ttl = kSessionCacheTtl,
                        std::size_t max_entries = 10'000);

  // Call before reading the session from the store: a revocation committed after this instant
  // is seen by other servers' caches within `ttl` of it.
  Resolution begin_resolution() const;

  std::optional<CachedAuth> find(const std::string& token_hash) const;
  // Stores the resolution unless an invalidation happened in this process since `resolution`
  // began or the user is blocked. The entry expires `ttl` after resolution.started;
  // `session_expires_at_ms` (epoch ms, 0 = never) caps its life further.
  void put(const std::string& token_hash, const CachedAuth& value, std::int64_t now_epoch_ms,
           std::int64_t session_expires_at_ms, const Resolution& resolution);

  void invalidate_token(const std::string& token_hash);
  void invalidate_user(std::int64_t user_id);
  void clear();
  // A Topic::kAuth signal from the store (a change committed through any server, decision
  // 0011): drops what it names; `missed` (the feed was down) clears everything.
  void apply(const Signal& signal);

  std::size_t size() const;

 private:
  struct Entry {
    CachedAuth value;
    Clock::time_point expires;
  };

  void drop_expired_locked(Clock::time_point now);

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  // user id -> no caching for that user before this time (see the header comment).
  std::unordered_map<std::int64_t, Clock::time_point> blocked_users_;
};

}  // namespace relais::domain
