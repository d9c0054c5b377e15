#include "domain/auth/login_throttle.hpp"

#include <algorithm>

#include "common/crypto.hpp"

namespace relais::domain {

std::int64_t throttle_wait_ms(const ThrottlePolicy& policy, const LoginThrottleCount& count,
                              std::int64_t now_ms) {
  if (count.failures < policy.free_failures) return 0;
  if (now_ms - count.last_failure_at_ms >= policy.forget_after_ms) return 0;
  // base * 2^beyond, without overflow: past 40 doublings it is the ceiling anyway.
  const int beyond = count.failures - policy.free_failures;
  const std::int64_t delay = beyond >= 40
                                 ? policy.max_delay_ms
                                 : std::min(policy.max_delay_ms, policy.base_delay_ms << beyond);
  return std::max<std::int64_t>(0, count.last_failure_at_ms + delay - now_ms);
}

LoginThrottleCount add_failure(const ThrottlePolicy& policy, const LoginThrottleCount& count,
                               std::int64_t now_ms) {
  const bool forgotten = now_ms - count.last_failure_at_ms >= policy.forget_after_ms;
  // The count is bounded: past the ceiling more failures change nothing.
  const int failures = forgotten ? 1 : std::min(count.failures + 1, policy.free_failures + 64);
  return LoginThrottleCount{failures, now_ms};
}

std::string account_address_throttle_key(const std::string& email, const std::string& address) {
  // The address (an IP literal) never contains a NUL, so no two pairs share a key.
  return "acct:" + crypto::sha256_hex(email + std::string(1, '\0') + address);
}

std::string address_throttle_key(const std::string& address) {
  return "addr:" + crypto::sha256_hex(address);
}

std::string password_change_throttle_key(std::int64_t user_id) {
  return "pwchange:" + std::to_string(user_id);
}

}  // namespace relais::domain
