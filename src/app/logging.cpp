#include "app/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <memory>

namespace relais::app {
namespace {

constexpr std::size_t kAccessQueueSize = 8192;

// One JSON object per line: {"ts","level","logger","msg"}. The access and security loggers'
// messages are already JSON objects (see http::ServerOptions::access_log_json and
// app/security_log.hpp): their fields are spliced in instead of being escaped into "msg".
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    std::time_t time = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&time, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);

    Json head{{"ts", fmt::format("{}.{:03}Z", stamp, millis)},
              {"level", spdlog::level::to_string_view(msg.level).data()},
              {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())}};
    std::string line = head.dump();
    std::string_view payload(msg.payload.data(), msg.payload.size());
    const bool structured = msg.logger_name == "access" || msg.logger_name == "security";
    if (structured && payload.size() > 2 && payload.front() == '{' && payload.back() == '}') {
      line.pop_back();  // '}'
      line += ',';
      line.append(payload.substr(1));
    } else {
      line.pop_back();
      line += ",\"msg\":";
      line += Json(std::string(payload)).dump(-1, ' ', false, Json::error_handler_t::replace);
      line += '}';
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void add_logging_options(CLI::App& command, LoggingOptions& options) {
  command.add_option("--log-format", options.format, "Log format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command.add_option("--log-level", options.level, "Minimum log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
}

Result<void> setup_logging(const LoggingOptions& options) {
  if (options.format != "text" && options.format != "json") {
    return Error::bad_request("--log-format must be text or json");
  }
  const spdlog::level::level_enum level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Error::bad_request("unknown --log-level '" + options.level + "'");
  }

  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (options.format == "json") {
    sink->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %n: %v", spdlog::pattern_time_type::utc));
  }

  auto main_logger = std::make_shared<spdlog::logger>("relais", sink);
  main_logger->set_level(level);
  main_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(main_logger);

  // The access log is written on every request, so it goes through a queue drained by its own
  // thread instead of blocking I/O threads on stderr. A full queue blocks rather than drops.
  spdlog::drop("access");
  spdlog::init_thread_pool(kAccessQueueSize, 1);
  auto access = std::make_shared<spdlog::async_logger>("access", sink, spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::block);
  access->set_level(level);
  spdlog::register_logger(access);

  // Security events (sign-ins, throttling) are rare and must not be lost in a crash: written
  // synchronously and flushed at once.
  spdlog::drop("security");
  auto security = std::make_shared<spdlog::logger>("security", sink);
  security->set_level(level);
  security->flush_on(spdlog::level::info);
  spdlog::register_logger(security);
  return ok_result();
}

void shutdown_logging() { spdlog::shutdown(); }

}  // namespace relais::app
