#include "domain/auth/session_cache.hpp"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <string_view>
#include <system_error>

namespace relais::domain {

SessionCache::SessionCache(std::chrono::milliseconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(std::max<std::size_t>(max_entries, 1)) {}

SessionCache::Resolution SessionCache::begin_resolution() const {
  const auto started = Clock::now();
  std::shared_lock lock(mutex_);
  return Resolution{generation_, started};
}

std::optional<CachedAuth> SessionCache::find(const std::string& token_hash) const {
  const auto now = Clock::now();
  std::shared_lock lock(mutex_);
  const auto it = entries_.find(token_hash);
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.value;
}

void SessionCache::put(const std::string& token_hash, const CachedAuth& value,
                       std::int64_t now_epoch_ms, std::int64_t session_expires_at_ms,
                       const Resolution& resolution) {
  const auto now = Clock::now();
  // From the start of the resolution, not from now: the store read (and a touch write) may
  // have taken a while, and the bound on cross-server staleness counts from before the read.
  auto expires = resolution.started + ttl_;
  if (expires <= now) return;
  if (session_expires_at_ms != 0) {
    const std::int64_t remaining_ms = session_expires_at_ms - now_epoch_ms;
    if (remaining_ms <= 0) return;
    expires = std::min(expires, now + std::chrono::milliseconds(remaining_ms));
  }
  std::unique_lock lock(mutex_);
  // Resolved before an invalidation: maybe stale.
  if (resolution.generation != generation_) return;
  if (const auto blocked = blocked_users_.find(value.actor.user_id);
      blocked != blocked_users_.end()) {
    if (now < blocked->second) return;
    blocked_users_.erase(blocked);
  }
  if (entries_.size() >= max_entries_ && !entries_.contains(token_hash)) {
    drop_expired_locked(now);
    // Each full sweep frees at least half the room, so puts stay O(1) amortised.
    if (entries_.size() > max_entries_ / 2) entries_.clear();
  }
  entries_.insert_or_assign(token_hash, Entry{value, expires});
}

void SessionCache::invalidate_token(const std::string& token_hash) {
  std::unique_lock lock(mutex_);
  ++generation_;
  entries_.erase(token_hash);
}

void SessionCache::invalidate_user(std::int64_t user_id) {
  const auto now = Clock::now();
  std::unique_lock lock(mutex_);
  ++generation_;
  std::erase_if(entries_,
                [&](const auto& item) { return item.second.value.actor.user_id == user_id; });
  if (blocked_users_.size() >= max_entries_) {
    std::erase_if(blocked_users_, [&](const auto& item) { return item.second <= now; });
  }
  blocked_users_[user_id] = now + ttl_;
}

void SessionCache::apply(const Signal& signal) {
  constexpr std::string_view kToken = "token:";
  constexpr std::string_view kUser = "user:";
  const std::string_view key = signal.key;
  if (signal.missed) {
    clear();
  } else if (key.starts_with(kToken)) {
    invalidate_token(std::string(key.substr(kToken.size())));
  } else if (key.starts_with(kUser)) {
    std::int64_t user_id = 0;
    const auto digits = key.substr(kUser.size());
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), user_id);
    if (error == std::errc() && end == digits.data() + digits.size()) {
      invalidate_user(user_id);
    } else {
      clear();  // not ours to parse: be safe
    }
  } else {
    clear();
  }
}

void SessionCache::clear() {
  std::unique_lock lock(mutex_);
  ++generation_;
  entries_.clear();
}

std::size_t SessionCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

void SessionCache::drop_expired_locked(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) { return item.second.expires <= now; });
}

}  // namespace relais::domain
