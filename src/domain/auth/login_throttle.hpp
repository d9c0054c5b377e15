// Sign-in throttling: how long a throttle key (an account seen from one client address, or a
// client address alone) must wait before its next attempt, from the counter kept in the
// database (domain::LoginThrottleCount), so every server process and restart sees the same
// budget. Pure functions and constants; the AuthService does the reads and writes.
//
// Each key has a free budget of failures; once it is spent, the next attempt waits
// `base_delay` after the last failure, and every further failure doubles the wait
// (exponential back-off) up to a ceiling. A counter is forgotten once its last failure is
// older than `forget_after`, and a successful sign-in clears the (account, address) key.
// Keying on (account, address) means a burst of wrong passwords from one address never
// locks the real user out from theirs, while an address spraying many accounts still meets
// its own, more generous, per-address budget.
#pragma once

#include <cstdint>
#include <string>

#include "domain/store.hpp"

namespace relais::domain {

struct ThrottlePolicy {
  int free_failures = 0;             // failures before the first wait
  std::int64_t base_delay_ms = 0;    // the wait after the first failure beyond the budget
  std::int64_t max_delay_ms = 0;     // the back-off never waits longer than this
  std::int64_t forget_after_ms = 0;  // a counter idle this long starts again from zero
};

// Per (account, client address): after 5 failures wait 2 s, after 6 wait 4 s, then 8 s, ...
// up to 15 minutes.
inline constexpr ThrottlePolicy kAccountAddressPolicy{5, 2'000, 15 * 60'000, 60 * 60'000};
// Per client address over every account: a generous ceiling (an office behind one NAT),
// then the same back-off.
inline constexpr ThrottlePolicy kAddressPolicy{100, 2'000, 15 * 60'000, 60 * 60'000};
// Wrong current passwords on a password change, per user: a stolen session must not become
// an unlimited password oracle.
inline constexpr ThrottlePolicy kPasswordChangePolicy{5, 2'000, 15 * 60'000, 60 * 60'000};

// Milliseconds before `count` allows another attempt at `now_ms`; 0 when allowed now.
std::int64_t throttle_wait_ms(const ThrottlePolicy& policy, const LoginThrottleCount& count,
                              std::int64_t now_ms);

// The counter after one more failure at `now_ms` (restarting from 1 when forgotten).
LoginThrottleCount add_failure(const ThrottlePolicy& policy, const LoginThrottleCount& count,
                               std::int64_t now_ms);

// Storage keys: hashes, so the table never holds attempted e-mails (sometimes a password
// typed in the wrong field) in clear. `email` is expected normalised (trimmed, lower case).
std::string account_address_throttle_key(const std::string& email, const std::string& address);
std::string address_throttle_key(const std::string& address);
std::string password_change_throttle_key(std::int64_t user_id);

}  // namespace relais::domain
