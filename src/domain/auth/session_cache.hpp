// A short-lived, in-process cache of resolved tokens (SHA-256 hash -> Authenticated), so most
// authenticated requests skip the session and user reads. Owned by AuthService and shared
// (shared_ptr) with the user record rules, which invalidate on actor-changing writes.
// Thread-safe: one std::shared_mutex; lookups take it shared, everything else exclusive.
//
// Staleness rules (see docs/decisions/0005-auth-cache.md):
// - an entry lives at most `ttl`, and never beyond the session's own expiry (absolute or
//   idle, whichever comes first: see CachedAuth::expires_at_ms);
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

class SessionCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionCache(std::chrono::milliseconds ttl = std::chrono::seconds(5),
                        std::size_t max_entries = 10'000);

  // The value to pass to put() later: read it before resolving the token from the store.
  std::uint64_t generation() const;

  std::optional<CachedAuth> find(const std::string& token_hash) const;
  // Stores the resolution unless an invalidation happened since `generation` was read or the
  // user is blocked. `session_expires_at_ms` (epoch ms, 0 = never) caps the entry's life.
  void put(const std::string& token_hash, const CachedAuth& value, std::int64_t now_epoch_ms,
           std::int64_t session_expires_at_ms, std::uint64_t generation);

  void invalidate_token(const std::string& token_hash);
  void invalidate_user(std::int64_t user_id);
  void clear();

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
