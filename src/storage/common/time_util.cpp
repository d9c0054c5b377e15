#include "storage/common/time_util.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace relais::storage {

std::int64_t now_epoch_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string now_iso() {
  const std::int64_t ms = now_epoch_ms();
  // A bulk write stamps tens of rows per millisecond (record, audit, event): format once.
  thread_local std::int64_t formatted_ms = -1;
  thread_local std::string formatted;
  if (ms == formatted_ms) return formatted;
  formatted_ms = ms;
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  formatted = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
  return formatted;
}

}  // namespace relais::storage
