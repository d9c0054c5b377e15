#include "app/security_log.hpp"

#include <spdlog/spdlog.h>

#include "common/result.hpp"

namespace relais::app {
namespace {

bool is_success(const std::string& name) {
  return name == "login.succeeded" || name == "logout" || name == "password_change.succeeded";
}

std::string quoted(const std::string& value) {
  return Json(value).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

SpdlogSecurityEvents::SpdlogSecurityEvents(bool json)
    : json_(json), logger_(spdlog::get("security")) {
  if (!logger_) logger_ = spdlog::default_logger();
}

void SpdlogSecurityEvents::record(const domain::SecurityEvent& event) {
  const auto level = is_success(event.name) ? spdlog::level::info : spdlog::level::warn;
  if (!logger_->should_log(level)) return;
  if (json_) {
    Json line{{"event", event.name},
              {"outcome", event.outcome},
              {"email", event.email},
              {"client", event.client_address}};
    if (event.user_id != 0) line["user_id"] = event.user_id;
    if (event.retry_after_s != 0) line["retry_after"] = event.retry_after_s;
    logger_->log(level, line.dump(-1, ' ', false, Json::error_handler_t::replace));
    return;
  }
  std::string line = event.name + " outcome=" + event.outcome + " email=" + quoted(event.email) +
                     " client=" + quoted(event.client_address);
  if (event.user_id != 0) line += " user_id=" + std::to_string(event.user_id);
  if (event.retry_after_s != 0) line += " retry_after=" + std::to_string(event.retry_after_s);
  logger_->log(level, line);
}

}  // namespace relais::app
