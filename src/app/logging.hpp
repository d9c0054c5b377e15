// Process-wide logging set-up for the CLI: a default logger, an "access" logger (one line
// per HTTP request, written by http::Server) and a "security" logger (sign-in events, see
// app/security_log.hpp), all to stderr so stdout stays machine-readable.
// Call once at the start of a command, before any thread starts logging.
#pragma once

#include <string>

#include "common/result.hpp"

namespace CLI {
class App;
}

namespace relais::app {

struct LoggingOptions {
  std::string format = "text";  // "text" | "json" (one JSON object per line)
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
};

// Registers --log-format and --log-level on a subcommand, writing into `options`.
void add_logging_options(CLI::App& command, LoggingOptions& options);

// Installs the loggers. kBadRequest on an unknown format or level.
Result<void> setup_logging(const LoggingOptions& options);

// Flushes and stops the asynchronous access logger; call before the process exits.
void shutdown_logging();

}  // namespace relais::app
