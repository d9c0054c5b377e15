// The JSON form of a job (docs/DESIGN.md, "Jobs"): times as ISO 8601 UTC, progress as
// {done, total} or null, last_error null when none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/jobs/job_queue.hpp"

namespace relais::api {

Json job_json(const domain::Job& job);
Json job_page_json(const domain::JobPage& page);

// A change position as an event id of GET /api/v1/jobs/stream ("<major>-<minor>", opaque to
// clients) and back; nullopt for text that is not one.
std::string job_change_id(domain::JobChangePosition position);
std::optional<domain::JobChangePosition> parse_job_change_id(std::string_view text);

}  // namespace relais::api
