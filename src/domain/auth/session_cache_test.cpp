// SessionCache on its own: TTL and session-expiry caps, the size bound, invalidation by token
// and by user (including the generation and per-user block that keep stale reads out), and a
// concurrent smoke test (run under TSan in CI builds that enable it).
#include "domain/auth/session_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace relais::domain {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNowMs = 1'700'000'000'000;

CachedAuth auth_of(std::int64_t user_id) {
  CachedAuth value;
  value.actor = Actor{user_id, Role::kSales, std::nullopt, "fr"};
  value.kind = "session";
  value.csrf_token = "csrf-" + std::to_string(user_id);
  return value;
}

TEST(SessionCacheTest, ReturnsWhatWasStoredUntilTheTtl) {
  SessionCache cache(50ms, 100);
  cache.put("h1", auth_of(7), kNowMs, 0, cache.begin_resolution());
  auto hit = cache.find("h1");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->actor.user_id, 7);
  EXPECT_EQ(hit->csrf_token, "csrf-7");
  EXPECT_FALSE(cache.find("h2"));
  std::this_thread::sleep_for(80ms);
  EXPECT_FALSE(cache.find("h1"));
}

TEST(SessionCacheTest, NeverOutlivesTheSession) {
  SessionCache cache(10s, 100);
  cache.put("soon", auth_of(1), kNowMs, kNowMs + 30, cache.begin_resolution());
  cache.put("gone", auth_of(2), kNowMs, kNowMs - 1, cache.begin_resolution());
  EXPECT_TRUE(cache.find("soon"));
  EXPECT_FALSE(cache.find("gone"));
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(cache.find("soon"));
}

TEST(SessionCacheTest, StaysWithinItsBound) {
  SessionCache cache(10s, 8);
  for (int i = 0; i < 100; ++i) {
    cache.put("h" + std::to_string(i), auth_of(i), kNowMs, 0, cache.begin_resolution());
    EXPECT_LE(cache.size(), 8u);
  }
  EXPECT_TRUE(cache.find("h99"));  // the newest entry is always kept
}

TEST(SessionCacheTest, FullCacheDropsExpiredEntriesFirst) {
  SessionCache cache(40ms, 4);
  for (int i = 0; i < 3; ++i) {
    cache.put("old" + std::to_string(i), auth_of(i), kNowMs, 0, cache.begin_resolution());
  }
  std::this_thread::sleep_for(60ms);
  cache.put("fresh1", auth_of(10), kNowMs, 0, cache.begin_resolution());
  cache.put("fresh2", auth_of(11), kNowMs, 0,
            cache.begin_resolution());  // full: sweeps the old ones
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.find("fresh1"));
  EXPECT_TRUE(cache.find("fresh2"));
}

TEST(SessionCacheTest, InvalidatesOneToken) {
  SessionCache cache(10s, 100);
  cache.put("a", auth_of(1), kNowMs, 0, cache.begin_resolution());
  cache.put("b", auth_of(1), kNowMs, 0, cache.begin_resolution());
  cache.invalidate_token("a");
  EXPECT_FALSE(cache.find("a"));
  EXPECT_TRUE(cache.find("b"));
}

TEST(SessionCacheTest, InvalidatesEveryTokenOfAUserAndOnlyThem) {
  SessionCache cache(10s, 100);
  cache.put("a", auth_of(1), kNowMs, 0, cache.begin_resolution());
  cache.put("b", auth_of(1), kNowMs, 0, cache.begin_resolution());
  cache.put("c", auth_of(2), kNowMs, 0, cache.begin_resolution());
  cache.invalidate_user(1);
  EXPECT_FALSE(cache.find("a"));
  EXPECT_FALSE(cache.find("b"));
  EXPECT_TRUE(cache.find("c"));
}

TEST(SessionCacheTest, RefusesAResolutionStartedBeforeAnInvalidation) {
  SessionCache cache(10s, 100);
  const auto before = cache.begin_resolution();
  cache.invalidate_token("a");  // e.g. a logout committed while "a" was being resolved
  cache.put("a", auth_of(1), kNowMs, 0, before);
  EXPECT_FALSE(cache.find("a"));
  cache.put("a", auth_of(1), kNowMs, 0, cache.begin_resolution());
  EXPECT_TRUE(cache.find("a"));
}

TEST(SessionCacheTest, BlocksAnInvalidatedUserForOneTtl) {
  SessionCache cache(40ms, 100);
  cache.invalidate_user(1);
  cache.put("a", auth_of(1), kNowMs, 0, cache.begin_resolution());  // may have read the old row
  cache.put("b", auth_of(2), kNowMs, 0, cache.begin_resolution());
  EXPECT_FALSE(cache.find("a"));
  EXPECT_TRUE(cache.find("b"));
  std::this_thread::sleep_for(60ms);
  cache.put("a", auth_of(1), kNowMs, 0, cache.begin_resolution());
  EXPECT_TRUE(cache.find("a"));
}

TEST(SessionCacheTest, TheTtlCountsFromTheStartOfTheResolution) {
  // A slow store read must not stretch the entry's life: other servers' revocations are
  // bounded by the TTL from before the read (decision 0010).
  SessionCache cache(100ms, 100);
  const auto started = cache.begin_resolution();
  std::this_thread::sleep_for(60ms);  // the store read
  cache.put("a", auth_of(1), kNowMs, 0, started);
  EXPECT_TRUE(cache.find("a"));
  std::this_thread::sleep_for(60ms);  // 120 ms after the start, 60 ms after the put
  EXPECT_FALSE(cache.find("a"));
  // A resolution that took longer than the TTL is not stored at all.
  const auto slow = cache.begin_resolution();
  std::this_thread::sleep_for(110ms);
  cache.put("b", auth_of(2), kNowMs, 0, slow);
  EXPECT_FALSE(cache.find("b"));
}

TEST(SessionCacheTest, TheDefaultTtlIsOneSecond) {
  EXPECT_EQ(kSessionCacheTtl, std::chrono::milliseconds(1000));
  SessionCache cache;
  const auto started = cache.begin_resolution();
  cache.put("a", auth_of(1), kNowMs, 0, started);
  std::this_thread::sleep_until(started.started + std::chrono::milliseconds(900));
  EXPECT_TRUE(cache.find("a"));
  std::this_thread::sleep_until(started.started + kSessionCacheTtl);
  EXPECT_FALSE(cache.find("a"));
}

TEST(SessionCacheTest, ConcurrentReadersWritersAndInvalidationsStayConsistent) {
  SessionCache cache(10s, 64);
  std::atomic<bool> wrong{false};
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::int64_t user = (t * 5000 + i) % 50;
        const std::string key = "u" + std::to_string(user) + "-" + std::to_string(i % 7);
        switch (i % 5) {
          case 0:
            cache.invalidate_user(user);
            break;
          case 1:
            cache.invalidate_token(key);
            break;
          default:
            cache.put(key, auth_of(user), kNowMs, 0, cache.begin_resolution());
            if (auto hit = cache.find(key); hit && hit->actor.user_id != user) wrong = true;
        }
        if (cache.size() > 64) wrong = true;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_FALSE(wrong.load());
}

}  // namespace
}  // namespace relais::domain
