// Security events of the sign-in path (failed, throttled and refused sign-ins, successes,
// sign-outs, password changes), reported by AuthService to a sink the application provides
// (the CLI logs them through spdlog, see app/security_log.hpp): the domain knows no logger.
// Events never carry a password or a token.
//
// Threading: record() is called concurrently from request workers; sinks must be thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace relais::domain {

struct SecurityEvent {
  // "login.succeeded" | "login.failed" | "login.throttled" | "login.disabled_account" |
  // "logout" | "password_change.succeeded" | "password_change.failed" |
  // "password_change.throttled"
  std::string name;
  std::string outcome;  // "signed_in", "wrong_password", "unknown_account", "rate_limited", ...
  std::string email;    // as attempted (trimmed, lower case); may be empty
  std::string client_address;
  std::int64_t user_id = 0;        // 0 when no account is known
  std::int64_t retry_after_s = 0;  // throttled events: the wait announced to the client
};

class SecurityEventSink {
 public:
  virtual ~SecurityEventSink() = default;
  virtual void record(const SecurityEvent& event) = 0;
};

}  // namespace relais::domain
