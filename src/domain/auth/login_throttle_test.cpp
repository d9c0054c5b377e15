#include "domain/auth/login_throttle.hpp"

#include <gtest/gtest.h>

namespace relais::domain {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000;  // an instant in 2027, epoch ms

LoginThrottleCount fail_n(const ThrottlePolicy& policy, int n, std::int64_t at) {
  LoginThrottleCount count;
  for (int i = 0; i < n; ++i) count = add_failure(policy, count, at);
  return count;
}

TEST(LoginThrottle, FreeBudgetThenExponentialBackOffUpToTheCeiling) {
  const ThrottlePolicy& p = kAccountAddressPolicy;
  EXPECT_EQ(throttle_wait_ms(p, {}, kT0), 0);
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 4, kT0), kT0), 0);
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 5, kT0), kT0), 2'000);
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 6, kT0), kT0), 4'000);
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 7, kT0), kT0), 8'000);
  // The wait counts from the last failure.
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 7, kT0), kT0 + 3'000), 5'000);
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 7, kT0), kT0 + 8'000), 0);
  // Never more than 15 minutes, however many failures (and no overflow).
  EXPECT_EQ(throttle_wait_ms(p, fail_n(p, 200, kT0), kT0), 15 * 60'000);
  EXPECT_EQ(throttle_wait_ms(p, LoginThrottleCount{1'000'000, kT0}, kT0), 15 * 60'000);
}

TEST(LoginThrottle, CountersAreForgottenAfterAnHourWithoutFailure) {
  const ThrottlePolicy& p = kAccountAddressPolicy;
  const LoginThrottleCount many = fail_n(p, 20, kT0);
  EXPECT_EQ(throttle_wait_ms(p, many, kT0 + 14 * 60'000), 60'000);
  EXPECT_EQ(throttle_wait_ms(p, many, kT0 + 15 * 60'000), 0);
  // Within the hour the count is remembered: one more failure waits the longest again.
  const LoginThrottleCount later = add_failure(p, many, kT0 + 59 * 60'000);
  EXPECT_EQ(later.failures, 21);
  EXPECT_EQ(throttle_wait_ms(p, later, kT0 + 59 * 60'000), 15 * 60'000);
  // A failure an hour after the last one starts again from one.
  const LoginThrottleCount again = add_failure(p, many, kT0 + 60 * 60'000);
  EXPECT_EQ(again.failures, 1);
  EXPECT_EQ(again.last_failure_at_ms, kT0 + 60 * 60'000);
}

TEST(LoginThrottle, TheAddressCeilingIsGenerous) {
  EXPECT_EQ(throttle_wait_ms(kAddressPolicy, fail_n(kAddressPolicy, 99, kT0), kT0), 0);
  EXPECT_EQ(throttle_wait_ms(kAddressPolicy, fail_n(kAddressPolicy, 100, kT0), kT0), 2'000);
}

TEST(LoginThrottle, KeysSeparateAccountsAndAddressesAndHideTheEmail) {
  const std::string key = account_address_throttle_key("ana@example.fr", "10.0.0.1");
  EXPECT_EQ(key, account_address_throttle_key("ana@example.fr", "10.0.0.1"));
  EXPECT_NE(key, account_address_throttle_key("ana@example.fr", "10.0.0.2"));
  EXPECT_NE(key, account_address_throttle_key("bob@example.fr", "10.0.0.1"));
  EXPECT_EQ(key.find("ana"), std::string::npos);
  EXPECT_NE(address_throttle_key("10.0.0.1"), address_throttle_key("10.0.0.2"));
  EXPECT_NE(address_throttle_key("10.0.0.1"), key);
}

}  // namespace
}  // namespace relais::domain
