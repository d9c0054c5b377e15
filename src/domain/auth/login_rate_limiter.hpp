// Counts failed sign-ins per key (an e-mail, a remote address) in a sliding window.
// In memory and per process: a restart forgets, which is acceptable for throttling.
// Thread-safe: every method takes the mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace relais::domain {

class LoginRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  LoginRateLimiter(std::size_t max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}

  // True when `key` already has max_failures failures inside the window.
  bool blocked(const std::string& key, Clock::time_point now = Clock::now());
  void record_failure(const std::string& key, Clock::time_point now = Clock::now());
  void reset(const std::string& key);

 private:
  void prune(std::deque<Clock::time_point>& times, Clock::time_point now) const;

  static constexpr std::size_t kMaxKeys = 100000;  // bounds memory under a spraying attack

  const std::size_t max_failures_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;  // by mutex_
};

}  // namespace relais::domain
