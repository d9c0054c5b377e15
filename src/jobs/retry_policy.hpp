// When a failed job runs again: exponential back-off with jitter, so a peer that is down is
// not hammered and jobs that failed together do not retry together.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace relais::jobs {

struct RetryPolicy {
  std::int64_t base_ms = 1'000;
  std::int64_t max_ms = 3'600'000;

  // Delay after the `attempt`-th failed attempt (1-based): base·2^(attempt-1), capped, with
  // "equal jitter": a uniformly drawn point in [delay/2, delay].
  std::int64_t delay_ms(int attempt, std::mt19937_64& rng) const;

  // When the job runs again, or nullopt when `attempts` has used up `max_attempts` (dead).
  std::optional<std::int64_t> retry_at(int attempts, int max_attempts, std::int64_t now_ms,
                                       std::mt19937_64& rng) const;
};

}  // namespace relais::jobs
