#include "domain/auth/login_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace relais::domain {
namespace {

using namespace std::chrono_literals;

TEST(LoginRateLimiter, BlocksAfterMaxFailuresWithinWindow) {
  LoginRateLimiter limiter(3, 15min);
  const auto t0 = LoginRateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 2; ++i) limiter.record_failure("a", t0 + i * 1s);
  EXPECT_FALSE(limiter.blocked("a", t0 + 3s));
  limiter.record_failure("a", t0 + 3s);
  EXPECT_TRUE(limiter.blocked("a", t0 + 4s));
  EXPECT_FALSE(limiter.blocked("b", t0 + 4s));
  // The first failure leaves the window 15 minutes after it happened.
  EXPECT_TRUE(limiter.blocked("a", t0 + 15min - 1s));
  EXPECT_FALSE(limiter.blocked("a", t0 + 15min + 1s));
}

TEST(LoginRateLimiter, ResetClears) {
  LoginRateLimiter limiter(1, 15min);
  const auto t0 = LoginRateLimiter::Clock::time_point{} + 1h;
  limiter.record_failure("a", t0);
  EXPECT_TRUE(limiter.blocked("a", t0));
  limiter.reset("a");
  EXPECT_FALSE(limiter.blocked("a", t0));
}

}  // namespace
}  // namespace relais::domain
