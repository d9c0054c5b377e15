#include "jobs/retry_policy.hpp"

#include <algorithm>

namespace relais::jobs {

std::int64_t RetryPolicy::delay_ms(int attempt, std::mt19937_64& rng) const {
  std::int64_t delay = std::max<std::int64_t>(base_ms, 1);
  for (int i = 1; i < attempt && delay < max_ms; ++i) delay *= 2;
  delay = std::min(delay, max_ms);
  std::uniform_int_distribution<std::int64_t> jitter(delay / 2, delay);
  return jitter(rng);
}

std::optional<std::int64_t> RetryPolicy::retry_at(int attempts, int max_attempts,
                                                  std::int64_t now_ms, std::mt19937_64& rng) const {
  if (attempts >= max_attempts) return std::nullopt;
  return now_ms + delay_ms(attempts, rng);
}

}  // namespace relais::jobs
