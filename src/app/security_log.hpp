// The security event sink of `relais serve`: each domain::SecurityEvent becomes one line on
// the "security" spdlog logger (stderr, beside the access log). In --log-format json the line
// is a JSON object with the event's fields; in text it is `security: <event> key=value ...`
// with every attacker-chosen value (the attempted e-mail) JSON-quoted, so it can neither
// break the line nor forge another. Failures, refusals and throttling log at warn, successes
// and sign-outs at info. Thread-safe (spdlog loggers are).
#pragma once

#include <memory>

#include "domain/auth/security_events.hpp"

namespace spdlog {
class logger;
}

namespace relais::app {

class SpdlogSecurityEvents final : public domain::SecurityEventSink {
 public:
  // `json`: the payload is a JSON object (the JSON log formatter splices its fields in).
  explicit SpdlogSecurityEvents(bool json);
  void record(const domain::SecurityEvent& event) override;

 private:
  const bool json_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace relais::app
