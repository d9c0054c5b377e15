#include "api/job_json.hpp"

#include <charconv>

#include "domain/records/values.hpp"

namespace relais::api {
namespace {

bool parse_count(std::string_view text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

Json time_or_null(std::int64_t epoch_ms) {
  if (epoch_ms <= 0) return nullptr;
  return domain::format_epoch_ms(epoch_ms);
}

}  // namespace

Json job_json(const domain::Job& job) {
  Json progress = nullptr;
  if (job.progress) progress = Json{{"done", job.progress->done}, {"total", job.progress->total}};
  return Json{
      {"id", job.id},
      {"kind", job.kind},
      {"status", domain::to_string(job.status)},
      {"attempts", job.attempts},
      {"max_attempts", job.max_attempts},
      {"run_at", domain::format_epoch_ms(job.run_at_ms)},
      {"progress", std::move(progress)},
      {"last_error", job.last_error.empty() ? Json(nullptr) : Json(job.last_error)},
      {"payload", job.payload},
      {"result", job.result},
      {"lease_until", job.status == domain::JobStatus::kRunning ? time_or_null(job.lease_until_ms)
                                                                : Json(nullptr)},
      {"created_at", domain::format_epoch_ms(job.created_at_ms)},
      {"updated_at", domain::format_epoch_ms(job.updated_at_ms)},
      {"finished_at", time_or_null(job.finished_at_ms)}};
}

Json job_page_json(const domain::JobPage& page) {
  Json data = Json::array();
  for (const auto& job : page.items) data.push_back(job_json(job));
  return Json{{"data", std::move(data)},
              {"next_cursor", page.next_cursor ? Json(*page.next_cursor) : Json(nullptr)}};
}

std::string job_change_id(domain::JobChangePosition position) {
  return std::to_string(position.major) + "-" + std::to_string(position.minor);
}

std::optional<domain::JobChangePosition> parse_job_change_id(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  domain::JobChangePosition position;
  if (!parse_count(text.substr(0, dash), position.major) ||
      !parse_count(text.substr(dash + 1), position.minor)) {
    return std::nullopt;
  }
  return position;
}

}  // namespace relais::api
